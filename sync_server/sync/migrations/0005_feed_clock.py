"""The catalog feed's horizon per tenant: a fed write announces itself, nothing else holds it.

`feed_txid` (0002) was the writer's transaction id, and the feed served rows below the oldest
transaction running anywhere in the cluster, so one long transaction in any database (a
test run, another tenant's import, a psql session left open) held back every tenant's feed.

Now a transaction's first write of a tenant's fed row (trigger, once per transaction and
tenant, kept in a transaction-local setting) does, in this order:

1. L := `pg_snapshot_xmax` of a snapshot taken now;
2. takes a shared transaction-level advisory lock on (hash of the tenant, low 32 bits of L):
   shared locks never wait on each other, so writers are not serialised;
3. C := `pg_snapshot_xmax` of a fresh snapshot (plpgsql takes one per expression in READ
   COMMITTED), so C >= L and C is read after the lock is visible in `pg_locks`; and C is
   never below the writer's own transaction id, so the old rule (serve below
   `pg_snapshot_xmin`) stays safe too, for a server of the previous release still reading
   during a rolling deploy;
4. every fed row of that tenant the transaction writes gets `feed_txid` = C.

`kiosk_feed_horizon(tenant)` takes a snapshot S first, then reads `pg_locks`, and returns
min(xmax(S), L of every transaction holding the tenant's lock in this database). Why no row
is skipped is in the docstring of sync/feed.py. Rows written before this migration carry
transaction ids, all below any C taken after it, so old cursors stay valid. One gap: a
transaction that wrote catalog rows with the old trigger and commits after this migration has
no lock for the new rule to see, so migrate while no catalog write is in flight (the deploy
stops writers first), or a till may miss that one write until the row changes again.
"""

from importlib import import_module

from django.db import migrations

from sync_server.common.rls import postgres_only_sql

LOCK_KEY = """
CREATE OR REPLACE FUNCTION kiosk_feed_lock_key(owner uuid) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT hashtext('kiosk_feed:' || owner::text) $$
"""

SET_CLOCK = """
CREATE OR REPLACE FUNCTION kiosk_set_feed_txid() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    owner uuid;
    setting_name text;
    known text;
    clock xid8;
    low bigint;
BEGIN
    IF TG_TABLE_NAME = 'tenants_tenant' THEN
        owner := NEW.id;
    ELSE
        owner := NEW.tenant_id;
    END IF;
    IF owner IS NULL THEN  -- a platform row: no tenant's feed ever serves it
        NEW.feed_txid := pg_snapshot_xmax(pg_current_snapshot());
        RETURN NEW;
    END IF;
    setting_name := 'kiosk_feed.t' || replace(owner::text, '-', '');
    known := current_setting(setting_name, true);
    IF known IS NOT NULL AND known <> '' THEN
        NEW.feed_txid := known::xid8;
        RETURN NEW;
    END IF;
    clock := pg_snapshot_xmax(pg_current_snapshot());
    low := mod(clock::text::bigint, 4294967296);
    IF low >= 2147483648 THEN
        low := low - 4294967296;
    END IF;
    PERFORM pg_advisory_xact_lock_shared(kiosk_feed_lock_key(owner), low::integer);
    -- fresh: taken after the lock is held; never below the writer's own transaction id
    clock := greatest(pg_snapshot_xmax(pg_current_snapshot()), pg_current_xact_id());
    PERFORM set_config(setting_name, clock::text, true);
    NEW.feed_txid := clock;
    RETURN NEW;
END $$
"""

HORIZON = """
CREATE OR REPLACE FUNCTION kiosk_feed_horizon(owner uuid) RETURNS xid8
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    horizon xid8;
    base bigint;
    oldest bigint;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'the catalog feed reads in READ COMMITTED only';
    END IF;
    horizon := pg_snapshot_xmax(pg_current_snapshot());
    base := horizon::text::bigint;
    SELECT min(base + mod(objid::text::bigint - mod(base, 4294967296) + 6442450944, 4294967296)
               - 2147483648)
      INTO oldest
      FROM pg_locks
     WHERE locktype = 'advisory' AND objsubid = 2
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND classid::text::bigint = kiosk_feed_lock_key(owner)::bigint & 4294967295;
    IF oldest IS NOT NULL AND oldest < base THEN
        horizon := oldest::text::xid8;
    END IF;
    RETURN horizon;
END $$
"""

OLD_SET_TXID = import_module("sync_server.sync.migrations.0002_feed_txid").FUNCTION
"""The writer-transaction trigger of 0002, put back by the reverse migration."""


class Migration(migrations.Migration):
    dependencies = [("sync", "0004_device_status_link")]

    operations = [
        postgres_only_sql(
            [LOCK_KEY, SET_CLOCK, HORIZON],
            [
                OLD_SET_TXID,
                "DROP FUNCTION IF EXISTS kiosk_feed_horizon(uuid)",
                "DROP FUNCTION IF EXISTS kiosk_feed_lock_key(uuid)",
            ],
        )
    ]
