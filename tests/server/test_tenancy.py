"""Fail-closed tenancy: the ORM refuses without a tenant, and PostgreSQL RLS holds underneath."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from sync_server.catalog.models import Product
from sync_server.common.tenancy import (
    TenantContextMissing,
    TenantMismatch,
    TenantOwnedModel,
    current_scope,
    tenant_atomic,
)
from sync_server.tenants.models import Tenant
from tests.server.conftest import requires_postgres

pytestmark = pytest.mark.django_db


def tenant_owned_models() -> list[type[TenantOwnedModel]]:
    return [
        model
        for model in apps.get_models()
        if issubclass(model, TenantOwnedModel) and not model._meta.abstract
    ]


def test_default_manager_refuses_without_tenant() -> None:
    with pytest.raises(TenantContextMissing):
        list(Product.objects.all())
    with pytest.raises(TenantContextMissing):
        Product.objects.count()


def test_default_manager_returns_only_the_tenant_in_context(
    demo_tenant: Tenant, rival_tenant: Tenant
) -> None:
    with tenant_atomic(demo_tenant):
        tenants = set(Product.objects.values_list("tenant_id", flat=True))
    assert tenants == {demo_tenant.id}


def test_saving_a_row_of_another_tenant_is_refused(
    demo_tenant: Tenant, rival_tenant: Tenant
) -> None:
    with tenant_atomic(rival_tenant):
        rival_product = Product.objects.first()
    assert rival_product is not None
    with tenant_atomic(demo_tenant), pytest.raises(TenantMismatch):
        rival_product.name = "stolen"
        rival_product.save()


def test_nested_tenant_atomic_restores_the_outer_tenant(
    demo_tenant: Tenant, rival_tenant: Tenant
) -> None:
    with tenant_atomic(demo_tenant):
        with tenant_atomic(rival_tenant):
            assert current_scope().tenant_id == rival_tenant.id
        assert current_scope().tenant_id == demo_tenant.id
        assert (
            set(Product.unscoped.values_list("tenant_id", flat=True)) <= {demo_tenant.id}
            or connection.vendor != "postgresql"
        )
    with pytest.raises(TenantContextMissing):
        current_scope()


@requires_postgres
def test_rls_limits_the_bypass_manager_to_the_tenant_in_context(
    demo_tenant: Tenant, rival_tenant: Tenant
) -> None:
    """A query that forgot its tenant filter still sees only tenant A's rows."""
    with tenant_atomic(rival_tenant):
        rival_ids = set(Product.unscoped.values_list("id", flat=True))
        assert set(Product.unscoped.values_list("tenant_id", flat=True)) == {rival_tenant.id}
    with tenant_atomic(demo_tenant):
        demo_ids = set(Product.unscoped.values_list("id", flat=True))
        assert set(Product.unscoped.values_list("tenant_id", flat=True)) == {demo_tenant.id}
        assert Product.unscoped.filter(id__in=rival_ids).count() == 0
        # Writes to the other tenant's rows affect nothing, even by raw SQL.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE catalog_product SET name = 'x' WHERE tenant_id = %s", [rival_tenant.id]
            )
            assert cursor.rowcount == 0
    assert len(demo_ids) == 60 and len(rival_ids) == 5


@requires_postgres
def test_rls_without_tenant_sees_nothing_and_cannot_insert(demo_tenant: Tenant) -> None:
    assert Product.unscoped.count() == 0
    with pytest.raises(Exception, match="row-level security"), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalog_product (id, tenant_id, sku, barcode, name, price_minor,"
            " cost_minor, kitchen_station, colour, image, is_active, track_stock, sort_order,"
            " version, created_at, updated_at) VALUES (gen_random_uuid(), %s, 'X', '', 'x',"
            " 1, 0, '', '', '', true, false, 0, 1, now(), now())",
            [demo_tenant.id],
        )


@requires_postgres
def test_every_tenant_owned_table_has_forced_rls_with_a_policy() -> None:
    """Fails for any new TenantOwnedModel whose migration forgot `*tenant_table(...)`."""
    tables = {model._meta.db_table for model in tenant_owned_models()}
    assert "catalog_product" in tables and "accounts_user" in tables
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
            " EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname"
            "         AND p.policyname = 'tenant_isolation')"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relname = ANY(%s)",
            [sorted(tables)],
        )
        secured = {
            name: (enabled, forced, policy) for name, enabled, forced, policy in cursor.fetchall()
        }
    missing = sorted(table for table in tables if secured.get(table) != (True, True, True))
    assert missing == []


@requires_postgres
def test_app_role_cannot_bypass_rls() -> None:
    from sync_server.common.db_roles import rls_bypass_reasons

    assert rls_bypass_reasons() == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)


@requires_postgres
def test_versions_come_from_one_sequence_and_bump_on_queryset_update(demo_tenant: Tenant) -> None:
    with tenant_atomic(demo_tenant):
        product = Product.objects.order_by("sku").first()
        assert product is not None
        before = product.version
        Product.objects.filter(id=product.id).update(name="Renamed")
        product.refresh_from_db()
        assert product.version > before
        product.name = "Again"
        product.save()
        assert Product.objects.get(id=product.id).version > before
