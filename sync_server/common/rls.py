"""Migration operations that put a table under PostgreSQL row-level security, one line per model.

Usage in a migration, after the model's CreateModel:

    from sync_server.common.rls import EnableTenantRLS, VersionOnWrite
    operations = [..., EnableTenantRLS("product"), VersionOnWrite("product")]

Both are no-ops on SQLite, where the fail-closed manager is the only guard.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.operations.special import RunPython
from django.db.migrations.state import ProjectState, StateApps

from sync_server.common.tenancy import PLATFORM_SETTING

POLICY_NAME = "tenant_isolation"
TENANT_MATCH = "tenant_id::text = current_setting('app.tenant_id', true)"
PLATFORM_MATCH = (
    f"tenant_id IS NULL AND current_setting('app.tenant_id', true) = '{PLATFORM_SETTING}'"
)


def tenant_policy_condition(*, allow_platform_rows: bool) -> str:
    """The USING/WITH CHECK expression: rows of the tenant in `app.tenant_id`, nothing else."""
    if allow_platform_rows:
        return f"({TENANT_MATCH}) OR ({PLATFORM_MATCH})"
    return TENANT_MATCH


class _TableOperation(Operation):
    """A PostgreSQL-only, database-only operation on one model's table (no state change)."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (type(self).__qualname__, [self.model_name], {})

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        """Schema-only: the model state is unchanged."""

    def forwards_sql(self, table: str) -> list[str]:
        raise NotImplementedError

    def backwards_sql(self, table: str) -> list[str]:
        raise NotImplementedError

    def _run(
        self,
        statements: Callable[[str], list[str]],
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        model = state.apps.get_model(app_label, self.model_name)
        for statement in statements(schema_editor.quote_name(model._meta.db_table)):
            schema_editor.execute(statement)

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        self._run(self.forwards_sql, app_label, schema_editor, to_state)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        self._run(self.backwards_sql, app_label, schema_editor, from_state)


class EnableTenantRLS(_TableOperation):
    """ENABLE + FORCE row-level security with the tenant policy on a tenant-owned table."""

    def __init__(self, model_name: str, *, allow_platform_rows: bool = False) -> None:
        super().__init__(model_name)
        self.allow_platform_rows = allow_platform_rows

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        kwargs: dict[str, Any] = {}
        if self.allow_platform_rows:
            kwargs["allow_platform_rows"] = True
        return (type(self).__qualname__, [self.model_name], kwargs)

    def forwards_sql(self, table: str) -> list[str]:
        condition = tenant_policy_condition(allow_platform_rows=self.allow_platform_rows)
        return [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY {POLICY_NAME} ON {table} USING ({condition}) WITH CHECK ({condition})",
        ]

    def backwards_sql(self, table: str) -> list[str]:
        return [
            f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}",
            f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
        ]

    def describe(self) -> str:
        return f"Enable tenant row-level security on {self.model_name}"


class VersionOnWrite(_TableOperation):
    """A trigger that bumps `version` from `kiosk_version_seq` on writes that forgot to.

    `Model.save()` already sets it; the trigger covers `QuerySet.update()` and
    bulk writes, so no write can leave a row invisible to the change feed.
    """

    def forwards_sql(self, table: str) -> list[str]:
        return [
            f"CREATE TRIGGER kiosk_version_on_write BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION kiosk_bump_version()"
        ]

    def backwards_sql(self, table: str) -> list[str]:
        return [f"DROP TRIGGER IF EXISTS kiosk_version_on_write ON {table}"]

    def describe(self) -> str:
        return f"Bump version on every write to {self.model_name}"


BUMP_VERSION_FUNCTION = """
CREATE OR REPLACE FUNCTION kiosk_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.version IS NULL OR NEW.version = 0
       OR (TG_OP = 'UPDATE' AND NEW.version = OLD.version) THEN
        NEW.version := nextval('kiosk_version_seq');
    END IF;
    RETURN NEW;
END $$
"""


def tenant_table(model_name: str, *, allow_platform_rows: bool = False) -> list[Operation]:
    """Everything a tenant-owned table needs, for `operations = [..., *tenant_table("order")]`."""
    return [
        EnableTenantRLS(model_name, allow_platform_rows=allow_platform_rows),
        VersionOnWrite(model_name),
    ]


def postgres_only_sql(forward: list[str], reverse: list[str]) -> RunPython:
    """Raw SQL that only means something on PostgreSQL (policies, functions); SQLite skips it."""

    def run(statements: list[str]) -> Any:
        def apply(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement)

        return apply

    return RunPython(run(forward), run(reverse))
