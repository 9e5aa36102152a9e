"""The catalog feed's commit order: a per-row writer transaction id on every fed table.

Versions come from a sequence and commit out of order, so the feed pages by
(feed_txid, version) and serves only rows written by transactions older than every
transaction still running (`pg_snapshot_xmin(pg_current_snapshot())`): a row that
commits later always sorts after any cursor already handed out. The column is set by a
trigger, is unknown to the ORM, and exists on PostgreSQL only (SQLite has one writer).
"""

from django.db import migrations

from sync_server.common.rls import postgres_only_sql

FED_TABLES = (
    "tenants_tenant",
    "tenants_outlet",
    "catalog_category",
    "catalog_product",
    "catalog_modifiergroup",
    "catalog_modifieroption",
    "catalog_productmodifiergroup",
    "catalog_taxrate",
    "promotions_promotion",
    "customers_customer",
    "accounts_user",
)

FUNCTION = """
CREATE OR REPLACE FUNCTION kiosk_set_feed_txid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.feed_txid := pg_current_xact_id();
    RETURN NEW;
END $$
"""

FORWARD = [FUNCTION]
REVERSE = []
for table in FED_TABLES:
    key = "feed_txid, version" if table == "tenants_tenant" else "tenant_id, feed_txid, version"
    FORWARD += [
        f"ALTER TABLE {table} ADD COLUMN feed_txid xid8 NOT NULL DEFAULT pg_current_xact_id()",
        f"CREATE TRIGGER kiosk_feed_txid BEFORE INSERT OR UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION kiosk_set_feed_txid()",
        f"CREATE INDEX {table}_feed_idx ON {table} ({key})",
    ]
    REVERSE += [
        f"DROP TRIGGER IF EXISTS kiosk_feed_txid ON {table}",
        f"ALTER TABLE {table} DROP COLUMN IF EXISTS feed_txid",
    ]
REVERSE.append("DROP FUNCTION IF EXISTS kiosk_set_feed_txid()")


class Migration(migrations.Migration):
    dependencies = [
        ("sync", "0001_initial"),
        ("tenants", "0001_initial"),
        ("accounts", "0001_initial"),
        ("catalog", "0001_initial"),
        ("promotions", "0001_initial"),
        ("customers", "0001_initial"),
    ]

    operations = [postgres_only_sql(FORWARD, REVERSE)]
