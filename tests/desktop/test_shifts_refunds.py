"""Shifts (float, cash moves, X/Z, close with count), voids and refunds, customers, unit of work."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select

from pos_desktop.services.auth import SignedIn, approve
from pos_desktop.services.cart import CartSession
from pos_desktop.services.catalog import CatalogSnapshot
from pos_desktop.services.checkout import CheckoutResult, Tender, checkout
from pos_desktop.services.customers import create_customer, find_customers
from pos_desktop.services.errors import InvalidInput, StateError
from pos_desktop.services.refunds import refund_order, void_order
from pos_desktop.services.shifts import close_shift, move_cash, open_shift, x_report
from pos_desktop.store.models import CashMovement, Customer, Order, Shift, SyncQueueItem
from pos_desktop.store.uow import UnitOfWork
from pos_desktop.terminal import Terminal
from shared.pricing import DiscountKind
from shared.protocol import CashMovementV1, CustomerCreatedV1, OrderRefundedV1, ShiftClosedV1
from tests.desktop.conftest import product_id


def _sell(
    terminal: Terminal,
    snapshot: CatalogSnapshot,
    cashier: SignedIn,
    *tenders: Tender,
    quantity: int = 3,
) -> CheckoutResult:
    cart = CartSession(snapshot, cashier)
    cart.add_product(product_id("Nasi goreng"), quantity=quantity)  # 45,000 each, no promotion
    with terminal.uow() as uow:
        return checkout(uow, cart=cart, tenders=list(tenders), cashier=cashier)


def test_x_and_z_figures_and_expected_cash(
    open_terminal: Terminal,
    snapshot: CatalogSnapshot,
    cashier: SignedIn,
    manager_id: str,
    manager_pin: str,
) -> None:
    _sell(open_terminal, snapshot, cashier, Tender("cash", 150_000))  # 135,000, change 15,000
    _sell(open_terminal, snapshot, cashier, Tender("card", 135_000))
    with open_terminal.uow() as uow:
        approval = approve(uow, manager_id=manager_id, pin=manager_pin, action="cash_movement")
    with open_terminal.uow() as uow:
        move_cash(
            uow,
            cashier=cashier,
            direction="out",
            amount_minor=100_000,
            reason="to safe",
            approval=approval,
        )
    with open_terminal.uow() as uow:
        move_cash(
            uow,
            cashier=cashier,
            direction="in",
            amount_minor=20_000,
            reason="coins",
            approval=approval,
        )
    with open_terminal.uow() as uow:
        report = x_report(uow)
        movements = uow.session.scalars(select(CashMovement)).all()
    assert {m.manager_id for m in movements} == {manager_id}
    assert report.figures.order_count == 2
    # PB1 is inside the demo café's prices: net sales exclude it, total collected does not.
    figures = report.figures
    assert figures.total_collected_minor == 270_000
    assert figures.net_sales_minor == 270_000 - figures.tax_minor - figures.service_charge_minor
    assert 0 < figures.net_sales_minor < 270_000
    assert report.figures.payments_by_method == {"cash": 135_000, "card": 135_000}
    assert report.expected_cash_minor == 200_000 + 135_000 - 100_000 + 20_000

    with open_terminal.uow() as uow, pytest.raises(StateError) as warned:
        close_shift(uow, cashier=cashier, counted={50_000: 5})
    assert warned.value.code == "unsynced_orders"
    with open_terminal.uow() as uow:
        assert uow.session.scalars(select(Shift)).one().state == "opened"
        queued_before = len(uow.session.scalars(select(SyncQueueItem)).all())

    with open_terminal.uow() as uow:
        z = close_shift(
            uow, cashier=cashier, counted={100_000: 2, 50_000: 1, 5_000: 1}, confirm_unsynced=True
        )
    assert z.state == "closed"
    with open_terminal.uow() as uow:
        shift = uow.session.scalars(select(Shift)).one()
        assert (shift.state, shift.counted_cash_minor) == ("closed", 255_000)
        queued = uow.session.scalars(select(SyncQueueItem).order_by(SyncQueueItem.id)).all()
    assert len(queued) == queued_before + 1  # nothing discarded, the Z event added
    closed = ShiftClosedV1.model_validate_json(queued[-1].payload)
    assert closed.difference_minor == 255_000 - 255_000
    assert closed.figures.order_count == 2


def test_only_one_shift_at_a_time(open_terminal: Terminal, cashier: SignedIn) -> None:
    with open_terminal.uow() as uow, pytest.raises(StateError):
        open_shift(uow, cashier=cashier, opening_float_minor=0)


def test_void_needs_the_right_approval_and_takes_the_sale_out(
    open_terminal: Terminal,
    snapshot: CatalogSnapshot,
    cashier: SignedIn,
    manager_id: str,
    manager_pin: str,
) -> None:
    sale = _sell(open_terminal, snapshot, cashier, Tender("card", 135_000))
    with open_terminal.uow() as uow:
        wrong = approve(uow, manager_id=manager_id, pin=manager_pin, action="refund")
    with open_terminal.uow() as uow, pytest.raises(InvalidInput):
        void_order(uow, order_id=sale.order_id, cashier=cashier, approval=wrong, reason="typo")
    with open_terminal.uow() as uow:
        approval = approve(uow, manager_id=manager_id, pin=manager_pin, action="void")
    with open_terminal.uow() as uow:
        result = void_order(
            uow, order_id=sale.order_id, cashier=cashier, approval=approval, reason="wrong table"
        )
    assert (result.order_status, result.amount_minor) == ("voided", 135_000)
    with open_terminal.uow() as uow:
        order = uow.session.get(Order, sale.order_id)
        assert order is not None and [a.action for a in order.approvals] == ["void"]
        report = x_report(uow)
    assert (report.figures.order_count, report.figures.void_count) == (0, 1)
    with open_terminal.uow() as uow, pytest.raises(StateError):
        void_order(uow, order_id=sale.order_id, cashier=cashier, approval=approval, reason="again")


def test_partial_refunds_add_up_to_the_line_and_never_exceed_it(
    open_terminal: Terminal,
    snapshot: CatalogSnapshot,
    cashier: SignedIn,
    manager_id: str,
    manager_pin: str,
) -> None:
    sale = _sell(open_terminal, snapshot, cashier, Tender("card", 135_000))
    with open_terminal.uow() as uow:
        line_id = uow.session.get(Order, sale.order_id).lines[0].id  # type: ignore[union-attr]
        approval = approve(uow, manager_id=manager_id, pin=manager_pin, action="refund")
    amounts = []
    for _ in range(3):
        with open_terminal.uow() as uow:
            amounts.append(
                refund_order(
                    uow,
                    order_id=sale.order_id,
                    cashier=cashier,
                    approval=approval,
                    reason="cold",
                    quantities={line_id: 1},
                )
            )
    assert sum(r.amount_minor for r in amounts) == 135_000
    assert amounts[-1].order_status == "refunded"
    with open_terminal.uow() as uow, pytest.raises(InvalidInput):
        refund_order(
            uow,
            order_id=sale.order_id,
            cashier=cashier,
            approval=approval,
            reason="again",
            quantities={line_id: 1},
        )
    with open_terminal.uow() as uow:
        events = [
            OrderRefundedV1.model_validate_json(i.payload)
            for i in uow.session.scalars(select(SyncQueueItem).where(SyncQueueItem.kind == "event"))
            if '"order_refunded"' in i.payload
        ]
    assert [e.amount_minor for e in events] == [r.amount_minor for r in amounts]


def test_customers_created_offline_are_found_and_flagged(terminal: Terminal) -> None:
    with terminal.uow() as uow:
        created = create_customer(uow, name="Ayu Lestari", phone="0812 555")
    with terminal.uow() as uow:
        found = find_customers(uow, query="lest")
    assert [c.customer_id for c in found] == [created.customer_id]
    assert found[0].created_offline
    with terminal.uow() as uow, pytest.raises(InvalidInput):
        create_customer(uow, name="  ")


def test_a_customer_created_at_the_till_goes_to_the_outbox_whole(terminal: Terminal) -> None:
    with terminal.uow() as uow:
        created = create_customer(
            uow, name="Budi Santoso", phone=" 0813 777 ", email="budi@example.co.id"
        )
    with terminal.uow() as uow:
        payloads = uow.session.scalars(
            select(SyncQueueItem.payload).where(SyncQueueItem.kind == "event")
        ).all()
    events = [CustomerCreatedV1.model_validate_json(p) for p in payloads]
    assert [(str(e.customer_id), e.name, e.phone, e.email) for e in events] == [
        (created.customer_id, "Budi Santoso", "0813 777", "budi@example.co.id")
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "Citra", "email": "citra at example"}, "email"),
        ({"name": "Citra", "phone": "0" * 33}, "phone"),
        ({"name": "C" * 201}, "name"),
    ],
)
def test_a_bad_customer_is_refused_with_its_field_and_nothing_is_written(
    terminal: Terminal, fields: dict[str, str], field: str
) -> None:
    def rows() -> tuple[int | None, int | None]:
        with terminal.uow() as uow:
            return (
                uow.session.scalar(select(func.count()).select_from(Customer)),
                uow.session.scalar(select(func.count()).select_from(SyncQueueItem)),
            )

    before = rows()
    with terminal.uow() as uow, pytest.raises(InvalidInput) as refused:
        create_customer(uow, **fields)
    assert refused.value.field == field
    assert rows() == before


def test_unit_of_work_rolls_back_unless_committed(terminal: Terminal) -> None:
    with terminal.uow() as uow:
        uow.session.add(Customer(id="c-x", name="Not saved", version=0, created_offline=True))
        uow.session.flush()
    with terminal.uow() as uow:
        assert uow.session.get(Customer, "c-x") is None


def test_cash_in_and_out_need_a_reason_and_a_managers_pin(
    open_terminal: Terminal, cashier: SignedIn, manager_id: str, manager_pin: str
) -> None:
    with open_terminal.uow() as uow:
        wrong = approve(uow, manager_id=manager_id, pin=manager_pin, action="void")
        right = approve(uow, manager_id=manager_id, pin=manager_pin, action="cash_movement")
    for approval, reason in ((wrong, "coins"), (right, "  ")):
        with open_terminal.uow() as uow, pytest.raises(InvalidInput):
            move_cash(
                uow,
                cashier=cashier,
                direction="in",
                amount_minor=10_000,
                reason=reason,
                approval=approval,
            )
    with open_terminal.uow() as uow:
        movement_id = move_cash(
            uow,
            cashier=cashier,
            direction="out",
            amount_minor=25_000,
            reason="ice",
            approval=right,
        )
    with open_terminal.uow() as uow:
        queued = uow.session.scalars(
            select(SyncQueueItem).where(SyncQueueItem.kind == "event")
        ).all()
        events = [
            CashMovementV1.model_validate_json(item.payload)
            for item in queued
            if '"cash_movement"' in item.payload
        ]
        report = x_report(uow)
    assert [(str(e.id), e.direction, e.amount_minor, str(e.approved_by)) for e in events] == [
        (movement_id, "out", 25_000, manager_id)
    ]
    assert report.figures.cash_out_minor == 25_000
    assert report.expected_cash_minor == 200_000 - 25_000


def test_cash_refunds_follow_the_cash_rounding_and_the_shift_closes_even(
    open_terminal: Terminal,
    snapshot: CatalogSnapshot,
    cashier: SignedIn,
    manager_id: str,
    manager_pin: str,
) -> None:
    """IDR with a Rp 100 cash rounding: two plates at Rp 88.500 after a Rp 1.500 discount."""
    cart = CartSession(snapshot, cashier)
    cart.add_product(product_id("Nasi goreng"), quantity=2)
    line = cart.lines[0].line_id
    cart.set_line_discount(line, kind=DiscountKind.FIXED, value=1_500, reason="regular")
    with open_terminal.uow() as uow:
        sale = checkout(uow, cart=cart, tenders=[Tender("cash", 100_000)], cashier=cashier)
    with open_terminal.uow() as uow:
        order = uow.session.get(Order, sale.order_id)
        assert order is not None and order.total_minor == 88_500
        line_id = order.lines[0].id
        approval = approve(uow, manager_id=manager_id, pin=manager_pin, action="refund")
    refunds = []
    for _ in range(2):
        with open_terminal.uow() as uow:
            refunds.append(
                refund_order(
                    uow,
                    order_id=sale.order_id,
                    cashier=cashier,
                    approval=approval,
                    reason="cold",
                    quantities={line_id: 1},
                    method="cash",
                ).amount_minor
            )
    # Half of 88.500 is 44.250: the drawer hands back 44.300, then the 44.200 that is left.
    assert refunds == [44_300, 44_200]
    assert all(amount % 100 == 0 for amount in refunds)
    with open_terminal.uow() as uow:
        events = [
            OrderRefundedV1.model_validate_json(i.payload)
            for i in uow.session.scalars(select(SyncQueueItem).where(SyncQueueItem.kind == "event"))
            if '"order_refunded"' in i.payload
        ]
        report = x_report(uow)
    assert [e.amount_minor for e in events] == refunds
    assert [sum(line.amount_minor for line in e.lines) for e in events] == refunds
    # The float is all that is left in the drawer: counted, it closes with no difference.
    assert report.expected_cash_minor == 200_000
    assert report.figures.total_collected_minor == 0
    with open_terminal.uow() as uow:
        closed = close_shift(uow, cashier=cashier, counted={100_000: 2}, confirm_unsynced=True)
    assert closed.figures.cash_difference_minor == 0


def test_a_shift_or_sale_the_disk_refuses_is_not_saved_and_says_so(
    terminal: Terminal,
    snapshot: CatalogSnapshot,
    cashier: SignedIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A full disk makes SQLite refuse the commit: the cashier reads why (never a raw database
    error), nothing is stored, and the same action works once the disk takes writes again."""

    def disk_full(self: UnitOfWork) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    with monkeypatch.context() as patched:
        patched.setattr(UnitOfWork, "commit", disk_full)
        with terminal.uow() as uow, pytest.raises(StateError) as refused:
            open_shift(uow, cashier=cashier, opening_float_minor=100_000)
    assert refused.value.code == "not_saved"
    assert refused.value.message.startswith("The shift was not saved")
    assert "database or disk is full" in refused.value.message
    with terminal.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Shift)) == 0
        assert uow.session.scalar(select(func.count()).select_from(SyncQueueItem)) == 0
        open_shift(uow, cashier=cashier, opening_float_minor=100_000)

    with monkeypatch.context() as patched:
        patched.setattr(UnitOfWork, "commit", disk_full)
        with pytest.raises(StateError) as refused:
            _sell(terminal, snapshot, cashier, Tender("cash", 150_000))
    assert refused.value.code == "not_saved" and "not paid" in refused.value.message
    with terminal.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Order)) == 0
    assert _sell(terminal, snapshot, cashier, Tender("cash", 150_000)).order_id
