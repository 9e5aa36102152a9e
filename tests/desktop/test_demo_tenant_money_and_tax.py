"""A till paired to a real server with the demo tenant: money in id_ID (Rp 25.000, modifier
prices +Rp 5.000 and -Rp 3.000), PB1 named once, and a till at the mall outlet pricing with
the mall's own PB1 rate, which the server re-prices the same (no price_mismatch)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from pos_desktop.store.models import TaxRate
from pos_desktop.terminal import Terminal
from pos_desktop.till.facade import TerminalTill
from pos_desktop.ui.formatting import MoneyFormat
from shared.pricing.tenders import Tender
from shared.tax import tax_label
from tests.chaos.support import Cloud
from tests.support.server_process import running_server

MALL_PB1_BP = 500  # sync_server.demo_data.MALL_PB1_BP (a desktop test does not load Django)
OWNER_PIN = "1111"  # demo.owner signs in at any outlet (the cashiers belong to `main`)


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.usefixtures("memory_keyring")
def test_a_mall_till_reads_rupiah_and_charges_the_malls_pb1(tmp_path: Path) -> None:
    with running_server() as server:
        cloud = Cloud(server)
        terminal = Terminal(tmp_path / "mall-till")
        terminal.pair(server.base_url, cloud.new_terminal_code("mall"), device_name="mall till")
        till = TerminalTill(terminal, start_sync=False, start_printing=False)
        try:
            assert till.engine is not None
            till.engine.pull_catalog()
            tenant = till.tenant()
            assert (tenant.currency, tenant.locale) == ("IDR", "id_ID")
            money = MoneyFormat(tenant.currency, tenant.locale)
            assert money(25_000) == "Rp 25.000"
            with terminal.uow() as uow:
                (pb1,) = uow.session.scalars(select(TaxRate)).all()
            assert (pb1.name, pb1.rate_bp) == ("PB1", MALL_PB1_BP)
            assert tax_label(pb1.name, pb1.rate_bp) == "PB1 5%"

            products = {p.name: p for p in till.products()}
            deltas = {
                option.name: money.signed(option.price_delta_minor)
                for group in till.modifier_groups(products["Kopi Susu"].id)
                for option in group.options
                if option.price_delta_minor
            }
            assert deltas == {"Small": "-Rp 3.000", "Large": "+Rp 5.000", "Extra shot": "+Rp 5.000"}

            till.login(OWNER_PIN)
            till.open_shift(500_000)
            plain = next(
                p for p in sorted(products.values(), key=lambda p: p.name) if not p.has_modifiers
            )
            till.add_to_cart(plain.id, quantity=3)
            cart = till.cart()
            sale = till.checkout([Tender("cash", cart.cash_total_minor)])
            assert till.engine.run_pass().transient_error is None
            ((flags, total, server_total, tax),) = cloud.query(
                "SELECT flags, total_minor, server_total_minor, tax_minor FROM orders_order"
                " WHERE id = %s",
                sale.order_id,
            )
            assert str(flags or "").split() == []  # no price_mismatch at the mall's rate
            assert server_total == total
            assert int(str(tax)) > 0
        finally:
            till.close()
