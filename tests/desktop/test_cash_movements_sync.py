"""Cash in and cash out through a real kiosk-server: a till paired to the demo tenant records
a pay-in and a pay-out with a manager's PIN, syncs them, and the server's shift holds them
(with the approving manager) and counts them in its own expected cash when the shift closes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from pos_desktop.services.auth import approve, sign_in_by_pin
from pos_desktop.services.shifts import CASH_MOVEMENT_ACTION, close_shift, move_cash, open_shift
from pos_desktop.store.models import Cashier
from pos_desktop.terminal import Terminal
from tests.chaos.support import CASHIER_PIN, Cloud
from tests.support.server_process import running_server

MANAGER_PIN = "2222"  # demo.manager, outlet main (README's demo accounts)


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.usefixtures("memory_keyring")
def test_cash_in_and_out_sync_to_the_servers_shift(tmp_path: Path) -> None:
    with running_server() as server:
        cloud = Cloud(server)
        terminal = Terminal(tmp_path / "till")
        terminal.pair(server.base_url, cloud.new_terminal_code(), device_name="cash test")
        try:
            engine = terminal.sync_engine()
            engine.pull_catalog()
            with terminal.uow() as uow:
                cashier = sign_in_by_pin(uow, pin=CASHIER_PIN)
            with terminal.uow() as uow:
                manager_id = uow.session.scalars(
                    select(Cashier.id).where(Cashier.username == "demo.manager")
                ).one()
            with terminal.uow() as uow:
                shift_id = open_shift(uow, cashier=cashier, opening_float_minor=500_000)
            with terminal.uow() as uow:
                approval = approve(
                    uow, manager_id=manager_id, pin=MANAGER_PIN, action=CASH_MOVEMENT_ACTION
                )
            with terminal.uow() as uow:
                pay_in = move_cash(
                    uow,
                    cashier=cashier,
                    direction="in",
                    amount_minor=200_000,
                    reason="change from the bank",
                    approval=approval,
                )
            with terminal.uow() as uow:
                pay_out = move_cash(
                    uow,
                    cashier=cashier,
                    direction="out",
                    amount_minor=75_000,
                    reason="ice and milk",
                    approval=approval,
                )
            assert engine.run_pass().transient_error is None
            assert engine.state.pending == 0

            rows = cloud.query(
                "SELECT id::text, direction, amount_minor, reason, approved_by::text,"
                " shift_id::text FROM shifts_cashmovement ORDER BY amount_minor DESC",
            )
            assert rows == [
                (pay_in, "in", 200_000, "change from the bank", manager_id, shift_id),
                (pay_out, "out", 75_000, "ice and milk", manager_id, shift_id),
            ]
            # A replay of the same events changes nothing (idempotent by id).
            assert engine.run_pass().transient_error is None
            assert len(cloud.query("SELECT id FROM shifts_cashmovement")) == 2

            with terminal.uow() as uow:
                closed = close_shift(
                    uow, cashier=cashier, counted={100_000: 6, 25_000: 1}, confirm_unsynced=True
                )
            assert closed.expected_cash_minor == 500_000 + 200_000 - 75_000
            assert closed.figures.cash_difference_minor == 0
            assert engine.run_pass().transient_error is None
            (shift,) = cloud.query(
                "SELECT status, server_expected_cash_minor, server_difference_minor,"
                " (figures->>'cash_in_minor')::bigint, (figures->>'cash_out_minor')::bigint"
                " FROM shifts_shift WHERE id = %s",
                shift_id,
            )
            assert shift == ("closed", 625_000, 0, 200_000, 75_000)
        finally:
            terminal.close()
