"""The till's cart with a customer attached: member promotions show in the live total."""

from __future__ import annotations

from pos_desktop.services.demo_catalog import demo_id
from pos_desktop.store.models import Customer, Promotion
from pos_desktop.till.facade import TerminalTill
from shared.pricing import Promotion as EnginePromotion
from shared.pricing import PromotionKind, PromotionTarget, promotion_to_dict

from .conftest import CASHIER_PIN

NASI_GORENG = str(demo_id("product:Nasi goreng"))


def _add_member_deal(till: TerminalTill) -> tuple[str, str]:
    """A 20% member deal on nasi goreng, a member and a walk-in; returns their ids."""
    deal = EnginePromotion(
        promotion_id=str(demo_id("promo:members")),
        name="Members 20% off",
        kind=PromotionKind.PERCENT_OFF,
        target=PromotionTarget.PRODUCT,
        target_ids=frozenset({NASI_GORENG}),
        percent_bp=2_000,
        customer_group_ids=frozenset({"member"}),
    )
    with till.terminal.uow() as uow:
        uow.session.add(
            Promotion(id=deal.promotion_id, name=deal.name, rule=promotion_to_dict(deal))
        )
        member = Customer(name="Sari", phone="0811", customer_group="member")
        walk_in = Customer(name="Agus", phone="0812", customer_group="")
        uow.session.add_all([member, walk_in])
        uow.session.flush()
        ids = (member.id, walk_in.id)
        uow.commit()
    return ids


def test_attaching_a_member_applies_the_member_promotion_to_the_live_total(
    demo_till: TerminalTill,
) -> None:
    member_id, walk_in_id = _add_member_deal(demo_till)
    demo_till.login(CASHIER_PIN)
    plain = demo_till.add_to_cart(NASI_GORENG)
    assert plain.total_minor == 45_000 + plain.service_charge_minor
    assert plain.lines[0].discount_minor == 0

    walk_in = demo_till.attach_customer(walk_in_id)
    assert walk_in.customer_name == "Agus"
    assert walk_in.total_minor == plain.total_minor  # not a member: no deal

    member = demo_till.attach_customer(member_id)
    assert member.customer_name == "Sari"
    assert member.lines[0].discount_minor == 9_000
    assert ("Members 20% off", 9_000) in member.lines[0].adjustments
    assert member.total_minor < plain.total_minor
    assert member.subtotal_minor - member.discount_minor == 36_000

    detached = demo_till.attach_customer(None)
    assert detached.total_minor == plain.total_minor
