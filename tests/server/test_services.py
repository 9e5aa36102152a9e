"""Service layer, without HTTP: writes, versions, tombstones and rules the views rely on."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sync_server.accounts import services as account_services
from sync_server.accounts.models import Role, User
from sync_server.catalog import services as catalog_services
from sync_server.catalog.models import Category, ModifierGroup, Product, ProductModifierGroup
from sync_server.common.errors import Refused
from sync_server.common.tenancy import TenantContextMissing, tenant_atomic
from sync_server.promotions import services as promotion_services
from sync_server.tenants.models import Tenant

pytestmark = pytest.mark.django_db


def test_reordering_modifier_groups_keeps_links_and_bumps_only_what_moved(
    demo_tenant: Tenant,
) -> None:
    with tenant_atomic(demo_tenant):
        size, sugar, shot = (
            ModifierGroup.objects.get(name=name) for name in ("Size", "Sugar", "Extra shot")
        )
        product = catalog_services.product_create(
            tenant=demo_tenant, sku="SVC-1", name="x", price_minor=1, modifier_groups=[size, sugar]
        )
        before = {
            link.modifier_group_id: link
            for link in ProductModifierGroup.objects.filter(product=product)
        }
        catalog_services.product_update(
            tenant=demo_tenant, product=product, modifier_groups=[sugar, size, shot]
        )
        after = {
            link.modifier_group_id: link
            for link in ProductModifierGroup.with_tombstones.filter(product=product)
        }
    assert set(after) == {size.id, sugar.id, shot.id}
    assert after[size.id].id == before[size.id].id  # same row, moved
    assert (after[sugar.id].sort_order, after[size.id].sort_order, after[shot.id].sort_order) == (
        0,
        1,
        2,
    )
    assert after[size.id].version > before[size.id].version
    assert all(link.deleted_at is None for link in after.values())


def test_version_is_one_sequence_across_tables(demo_tenant: Tenant) -> None:
    with tenant_atomic(demo_tenant):
        category = catalog_services.category_create(tenant=demo_tenant, name="Seq A")
        product = catalog_services.product_create(
            tenant=demo_tenant, sku="SEQ", name="b", price_minor=1
        )
        category = catalog_services.category_update(
            tenant=demo_tenant, category=category, name="Seq C"
        )
    assert category.version > product.version > 0


def test_category_with_products_cannot_be_deleted_but_empty_one_can(demo_tenant: Tenant) -> None:
    with tenant_atomic(demo_tenant):
        coffee = Category.objects.get(name="Coffee")
        with pytest.raises(Refused):
            catalog_services.category_delete(tenant=demo_tenant, category=coffee)
        empty = catalog_services.category_create(tenant=demo_tenant, name="Empty")
        catalog_services.category_delete(tenant=demo_tenant, category=empty)
        assert not Category.objects.filter(id=empty.id).exists()
        assert Category.with_tombstones.get(id=empty.id).deleted_at is not None


def test_promotion_service_refuses_what_the_engine_refuses(demo_tenant: Tenant) -> None:
    with tenant_atomic(demo_tenant), pytest.raises(Refused) as refused:
        promotion_services.promotion_create(
            tenant=demo_tenant, name="Bad bundle", kind="bundle", rule={"bundle_price_minor": 1}
        )
    assert refused.value.field == "rule.bundle_items"
    assert refused.value.error == "validation_error"


def test_user_services_enforce_rank_and_hash_the_pin(
    demo_tenant: Tenant, user_of: Callable[..., User]
) -> None:
    manager = user_of("manager")
    with tenant_atomic(demo_tenant):
        cashier = account_services.user_create(
            tenant=demo_tenant, actor=manager, username="svc.cashier", role=Role.CASHIER, pin="5678"
        )
        assert cashier.pin_hash.startswith("pbkdf2_sha256$") and cashier.check_pin("5678")
        assert not cashier.has_usable_password()
        with pytest.raises(Refused) as refused:
            account_services.user_update(
                tenant=demo_tenant, actor=manager, user=cashier, role=Role.ADMIN
            )
        assert refused.value.error == "permission_denied"
        with pytest.raises(Refused) as refused:
            account_services.user_delete(tenant=demo_tenant, actor=manager, user=manager)
        assert refused.value.status == 403
        account_services.user_delete(tenant=demo_tenant, actor=manager, user=cashier)
        assert not User.objects.filter(username="svc.cashier").exists()


def test_one_tenant_transaction_per_order_fails_alone(demo_tenant: Tenant) -> None:
    """A batch: each item in its own tenant_atomic; a failing one leaves the others written."""
    written = []
    for sku in ("BATCH-1", "BATCH-1", "BATCH-2"):
        try:
            with tenant_atomic(demo_tenant):
                product = Product(tenant=demo_tenant, sku=sku, name=sku, price_minor=1)
                product.save()
                written.append(sku)
        except Exception:
            continue
    with tenant_atomic(demo_tenant):
        assert sorted(
            Product.objects.filter(sku__startswith="BATCH").values_list("sku", flat=True)
        ) == [
            "BATCH-1",
            "BATCH-2",
        ]
    assert written == ["BATCH-1", "BATCH-2"]  # the duplicate failed, alone


def test_services_outside_a_tenant_fail_closed(demo_tenant: Tenant) -> None:
    with pytest.raises(TenantContextMissing):
        catalog_services.category_create(tenant=demo_tenant, name="Nowhere")
