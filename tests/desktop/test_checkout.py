"""Cart and checkout: live pricing, one transaction with the outbox row, receipt numbers."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from pos_desktop.services.auth import SignedIn, approve
from pos_desktop.services.cart import CartSession
from pos_desktop.services.catalog import CatalogSnapshot, apply_catalog_page
from pos_desktop.services.checkout import Tender, checkout
from pos_desktop.services.customers import find_customers
from pos_desktop.services.errors import ApprovalRequired, InvalidInput, StateError
from pos_desktop.store.models import Approval, Counter, Order, OrderLine, Payment, SyncQueueItem
from pos_desktop.store.outbox import Outbox
from pos_desktop.terminal import Terminal
from shared.pricing import DiscountKind, Promotion, PromotionKind, promotion_to_dict
from shared.protocol import CatalogChangeV1, CatalogPageV1, CustomerV1, OrderV1
from tests.desktop.conftest import option_id, product_id


def _rows(terminal: Terminal) -> dict[str, int]:
    with terminal.uow() as uow:
        return {
            model.__tablename__: int(
                uow.session.scalar(select(func.count()).select_from(model)) or 0
            )
            for model in (Order, OrderLine, Payment, SyncQueueItem, Approval)
        }


def _cart(snapshot: CatalogSnapshot, cashier: SignedIn) -> CartSession:
    cart = CartSession(snapshot, cashier)
    cart.add_product(
        product_id("Caffè latte"), quantity=2, modifier_option_ids=[option_id("large")]
    )
    cart.add_product(product_id("Croissant"))
    return cart


def test_live_price_follows_the_catalog_and_promotions(
    snapshot: CatalogSnapshot, cashier: SignedIn
) -> None:
    cart = _cart(snapshot, cashier)
    priced = cart.priced()
    # latte 32,000 + large 5,000 = 37,000 ×2; croissant 25,000 with the 10% pastry promotion
    assert priced.subtotal_minor == 2 * 37_000 + 25_000
    assert priced.discount_minor == 2_500
    assert priced.total_minor == 96_500  # PB1 is inclusive: nothing added on top
    assert priced.tax_minor == sum(line.tax_minor for line in priced.lines) > 0
    cart.set_quantity(cart.lines[1].line_id, 0)
    assert cart.priced().total_minor == 74_000


def test_modifiers_must_fit_their_groups(snapshot: CatalogSnapshot, cashier: SignedIn) -> None:
    cart = CartSession(snapshot, cashier)
    with pytest.raises(InvalidInput):
        cart.add_product(product_id("Croissant"), modifier_option_ids=[option_id("large")])
    with pytest.raises(InvalidInput):
        cart.add_product(
            product_id("Espresso"), modifier_option_ids=[option_id("large"), option_id("regular")]
        )


def test_checkout_writes_order_lines_payments_and_outbox_row_together(
    open_terminal: Terminal, snapshot: CatalogSnapshot, cashier: SignedIn
) -> None:
    cart = _cart(snapshot, cashier)
    with open_terminal.uow() as uow:
        result = checkout(
            uow,
            cart=cart,
            tenders=[Tender("card", 50_000), Tender("cash", 100_000)],
            cashier=cashier,
        )
    assert result.receipt_number == "DEMO-T1-000001"
    assert result.total_minor == 96_500
    assert result.change_minor == 150_000 - 96_500
    with open_terminal.uow() as uow:
        order = uow.session.get(Order, result.order_id)
        assert order is not None and len(order.lines) == 2
        assert sum(p.amount_minor for p in order.payments) == order.total_minor
        assert [p.is_change for p in order.payments] == [False, False, True]
        item = uow.session.scalars(
            select(SyncQueueItem).where(SyncQueueItem.entity_id == result.order_id)
        ).one()
        wire = OrderV1.model_validate_json(item.payload)
    assert wire.total_minor == order.total_minor
    assert wire.receipt_number == order.receipt_number
    assert [(p.method, p.amount_minor, p.change_minor) for p in wire.payments] == [
        ("card", 50_000, 0),
        ("cash", 46_500, 53_500),
    ]
    assert {str(line.id) for line in wire.lines} == {line.id for line in order.lines}


def test_receipt_numbers_count_up_per_terminal(
    open_terminal: Terminal, snapshot: CatalogSnapshot, cashier: SignedIn
) -> None:
    numbers = []
    for _ in range(3):
        with open_terminal.uow() as uow:
            cart = _cart(snapshot, cashier)
            numbers.append(
                checkout(uow, cart=cart, tenders=[Tender("card", 96_500)], cashier=cashier)
            )
    assert [r.receipt_number for r in numbers] == [
        "DEMO-T1-000001",
        "DEMO-T1-000002",
        "DEMO-T1-000003",
    ]


def test_a_failure_inside_checkout_leaves_no_trace(
    open_terminal: Terminal,
    snapshot: CatalogSnapshot,
    cashier: SignedIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = _rows(open_terminal)

    def broken_enqueue(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Outbox, "add", broken_enqueue)
    with open_terminal.uow() as uow, pytest.raises(RuntimeError):
        checkout(
            uow, cart=_cart(snapshot, cashier), tenders=[Tender("card", 96_500)], cashier=cashier
        )
    assert _rows(open_terminal) == before
    with open_terminal.uow() as uow:
        assert uow.session.get(Counter, "receipt") is None  # the number was not used up


def test_payments_must_cover_the_total_and_cards_give_no_change(
    open_terminal: Terminal, snapshot: CatalogSnapshot, cashier: SignedIn
) -> None:
    for tenders, code in (
        ([Tender("cash", 50_000)], "underpaid"),
        ([Tender("card", 100_000)], "overpaid"),
        ([Tender("cash", -5)], "invalid"),
    ):
        with open_terminal.uow() as uow, pytest.raises(InvalidInput) as refused:
            checkout(uow, cart=_cart(snapshot, cashier), tenders=tenders, cashier=cashier)
        assert refused.value.code == code
    assert _rows(open_terminal)["orders"] == 0


def test_cash_only_orders_are_rounded_to_the_cash_step(
    open_terminal: Terminal, snapshot: CatalogSnapshot, cashier: SignedIn
) -> None:
    cart = CartSession(snapshot, cashier)
    cart.add_product(product_id("Croissant"), quantity=3)  # 75,000 − 10% = 67,500
    cart.set_line_discount(cart.lines[0].line_id, kind=DiscountKind.FIXED, value=1_030)
    due_card = cart.priced().payable_minor
    due_cash = cart.priced(cash_rounding=True).payable_minor
    assert due_cash % 100 == 0 and abs(due_cash - due_card) < 100
    with open_terminal.uow() as uow:
        result = checkout(uow, cart=cart, tenders=[Tender("cash", 100_000)], cashier=cashier)
    assert result.total_minor == due_cash
    assert result.change_minor == 100_000 - due_cash


def test_no_sale_without_an_open_shift(
    terminal: Terminal, snapshot: CatalogSnapshot, cashier: SignedIn
) -> None:
    with terminal.uow() as uow, pytest.raises(StateError):
        checkout(
            uow, cart=_cart(snapshot, cashier), tenders=[Tender("card", 96_500)], cashier=cashier
        )


def test_a_big_discount_needs_a_manager_and_the_approval_is_recorded(
    open_terminal: Terminal,
    snapshot: CatalogSnapshot,
    cashier: SignedIn,
    manager_id: str,
    manager_pin: str,
) -> None:
    cart = _cart(snapshot, cashier)
    cart.set_order_discount(kind=DiscountKind.PERCENT, value=500, reason="regular")  # 5%: fine
    with pytest.raises(ApprovalRequired):
        cart.set_order_discount(kind=DiscountKind.PERCENT, value=2_000, reason="friend")
    with pytest.raises(ApprovalRequired):
        cart.set_line_discount(cart.lines[0].line_id, kind=DiscountKind.FIXED, value=20_000)
    with open_terminal.uow() as uow:
        approval = approve(
            uow, manager_id=manager_id, pin=manager_pin, action="order_discount", reason="friend"
        )
    cart.set_order_discount(kind=DiscountKind.PERCENT, value=2_000, approval=approval)
    due = cart.priced().payable_minor
    with open_terminal.uow() as uow:
        result = checkout(uow, cart=cart, tenders=[Tender("card", due)], cashier=cashier)
    with open_terminal.uow() as uow:
        order = uow.session.get(Order, result.order_id)
        assert order is not None
        assert [(a.action, a.manager_id) for a in order.approvals] == [
            ("order_discount", manager_id)
        ]
        item = uow.session.scalars(select(SyncQueueItem)).all()[-1]
    wire = OrderV1.model_validate_json(item.payload)
    assert wire.manual_discount is not None and str(wire.manual_discount.approved_by) == manager_id
    assert [a.action for a in wire.approvals] == ["order_discount"]


def test_customer_group_promotions_price_the_same_as_the_server(
    open_terminal: Terminal, cashier: SignedIn
) -> None:
    members = Promotion(
        promotion_id=str(uuid.uuid4()),
        name="Members 10%",
        kind=PromotionKind.PERCENT_OFF,
        percent_bp=1000,
        customer_group_ids=frozenset({"member"}),
    )
    ayu = CustomerV1(id=uuid.uuid4(), name="Ayu", group="member")
    page = CatalogPageV1(
        changes=(
            CatalogChangeV1(
                entity="promotion",
                id=uuid.UUID(members.promotion_id),
                version=2,
                data={
                    "id": members.promotion_id,
                    "name": members.name,
                    "rule": promotion_to_dict(members),
                },
            ),
            CatalogChangeV1(
                entity="customer", id=ayu.id, version=2, data=ayu.model_dump(mode="json")
            ),
        ),
        next_cursor="c2",
        has_more=False,
        catalog_version=2,
    )
    with open_terminal.uow() as uow:
        apply_catalog_page(uow.session, page)
        uow.commit()
    with open_terminal.uow() as uow:
        snapshot = CatalogSnapshot.load(uow.session)
        (found,) = find_customers(uow, query="Ayu")
    assert found.group == "member"
    cart = CartSession(snapshot, cashier)
    cart.add_product(product_id("Nasi goreng"), quantity=2)
    cart.attach_customer(found.customer_id, found.name, found.group)
    assert cart.priced().total_minor == 81_000  # 90,000 − 10% for members
    cart.attach_customer(found.customer_id, found.name)  # a screen that forgot the group
    with open_terminal.uow() as uow:
        result = checkout(uow, cart=cart, tenders=[Tender("card", 81_000)], cashier=cashier)
    assert result.total_minor == 81_000
