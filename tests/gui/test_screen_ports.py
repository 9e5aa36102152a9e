"""A screen runs on a small fake of its own port: no SQLite till, no terminal folder."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pytestqt.qtbot import QtBot

from pos_desktop.services.payment_quote import quote_amounts
from pos_desktop.till.views import PaymentQuote, PrintJobView, SaleResult
from pos_desktop.ui.background import Background
from pos_desktop.ui.formatting import MoneyFormat
from pos_desktop.ui.screens.base import PrintJobWatcher, ScreenContext
from pos_desktop.ui.screens.payment import PaymentScreen
from shared.pricing.tenders import PaymentMethod, Tender

IDR = MoneyFormat("IDR", "id_ID")
EXACT_MINOR = 47_850
CASH_ROUNDED_MINOR = 47_900


class FakePaymentTill:
    """`PaymentPort` (and the window's print-job watch) over fixed figures."""

    def __init__(self) -> None:
        self.paid_with: list[Tender] = []

    def quote(self, tenders: Sequence[Tender] = ()) -> PaymentQuote:
        return quote_amounts(
            exact_minor=EXACT_MINOR,
            cash_rounded_minor=CASH_ROUNDED_MINOR,
            tenders=tenders,
            denominations=(100_000, 50_000, 20_000),
        )

    def checkout(self, tenders: Sequence[Tender]) -> SaleResult:
        self.paid_with = list(tenders)
        paid = sum(t.amount_minor for t in tenders)
        return SaleResult("o1", "DEMO-T1-000001", CASH_ROUNDED_MINOR, paid, 2_100, "", False)

    def watch_print_jobs(self, listener: Callable[[PrintJobView], None]) -> None:
        pass


def test_the_payment_screen_pays_through_its_port(qtbot: QtBot) -> None:
    till = FakePaymentTill()
    background = Background()
    context = ScreenContext(till, background, IDR, PrintJobWatcher(till))  # type: ignore[arg-type]
    screen = PaymentScreen(context)
    qtbot.addWidget(screen)
    screen.activate()
    assert screen.due.text() == "Total Rp 47.900"  # all cash: the rounded total
    assert not screen.complete_button.isEnabled()

    with qtbot.waitSignal(screen.paid, timeout=5_000) as paid:
        screen.pay_quick(50_000)  # one tap on a note completes the sale
    assert paid.args[0].change_minor == 2_100
    assert till.paid_with == [Tender(PaymentMethod.CASH, 50_000)]
    assert background.wait(5_000)
