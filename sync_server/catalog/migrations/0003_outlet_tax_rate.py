"""Outlets charge their own rate of a tax (PB1 is set per city): tenant-owned with row-level
security, and fed to terminals with the tax rate (the feed's commit-order column included)."""

import uuid

import django.db.models.deletion
from django.db import migrations, models

from sync_server.common.rls import postgres_only_sql, tenant_table

TABLE = "catalog_outlettaxrate"
FEED_FORWARD = [
    f"ALTER TABLE {TABLE} ADD COLUMN feed_txid xid8 NOT NULL DEFAULT pg_current_xact_id()",
    f"CREATE TRIGGER kiosk_feed_txid BEFORE INSERT OR UPDATE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION kiosk_set_feed_txid()",
    f"CREATE INDEX {TABLE}_feed_idx ON {TABLE} (tenant_id, feed_txid, version)",
]
FEED_REVERSE = [
    f"DROP TRIGGER IF EXISTS kiosk_feed_txid ON {TABLE}",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS feed_txid",
]


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_category_kitchen_station"),
        ("tenants", "0004_tenant_locale"),
        ("sync", "0002_feed_txid"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutletTaxRate",
            fields=[
                ("version", models.BigIntegerField(db_index=True, default=0, editable=False)),
                ("deleted_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("rate_bp", models.IntegerField()),
                (
                    "outlet",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenants.outlet",
                    ),
                ),
                (
                    "tax_rate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="outlet_rates",
                        to="catalog.taxrate",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenants.tenant",
                    ),
                ),
            ],
            options={
                "ordering": ["tax_rate", "outlet"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("deleted_at__isnull", True)),
                        fields=("tax_rate", "outlet"),
                        name="outlettaxrate_unique_per_outlet",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("rate_bp__gte", 0), ("rate_bp__lte", 10000)),
                        name="outlettaxrate_bp_range",
                    ),
                ],
            },
        ),
        *tenant_table("outlettaxrate"),
        postgres_only_sql(FEED_FORWARD, FEED_REVERSE),
    ]
