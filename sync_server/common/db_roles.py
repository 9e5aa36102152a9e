"""PostgreSQL roles: provision the app role after migrations, and detect RLS bypass at start-up."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import sql

logger = logging.getLogger("kiosk.db")

OWNER_ALIAS = "owner"


def _execute(connection: BaseDatabaseWrapper, statement: sql.Composable | str) -> None:
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor: composed SQL with identifiers and literals
        raw.execute(statement)


def provision_app_role(*, using: str = OWNER_ALIAS) -> str | None:
    """Create the role named in DATABASE_URL if missing and grant it DML only.

    Runs as the owner (the `migrate` connection). The app role gets CONNECT,
    USAGE on the schema, SELECT/INSERT/UPDATE/DELETE on tables and USAGE on
    sequences, now and for tables the owner creates later; nothing else: it
    owns nothing, is not a superuser and cannot bypass RLS.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    app = settings.DATABASES[DEFAULT_DB_ALIAS]
    role = str(app.get("USER") or "")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database()")
        owner, database = cursor.fetchone()
        if not role or role == owner:
            return None
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        exists = cursor.fetchone() is not None
    if not exists:
        password = str(app.get("PASSWORD") or "")
        statement = sql.SQL(
            "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS"
        ).format(sql.Identifier(role))
        if password:
            statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(password))
        try:
            _execute(connection, statement)
        except Exception as error:  # another process created it meanwhile
            if "already exists" not in str(error):
                raise
        logger.info("created app role %s", role)
    ident = sql.Identifier(role)
    for template in (
        "GRANT CONNECT ON DATABASE {db} TO {role}",
        "GRANT USAGE ON SCHEMA public TO {role}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ):
        _execute(connection, sql.SQL(template).format(db=sql.Identifier(database), role=ident))
    return role


def rls_bypass_reasons(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Why the app's own role could read past row-level security (empty: it cannot)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    reasons: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        role, is_super, bypasses = cursor.fetchone()
        if is_super:
            reasons.append(f"role {role} is a superuser")
        if bypasses:
            reasons.append(f"role {role} has BYPASSRLS")
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relrowsecurity "
            "AND pg_has_role(current_user, c.relowner, 'USAGE')"
        )
        owned = cursor.fetchone()[0]
        if owned:
            reasons.append(f"role {role} owns {owned} row-level-secured tables")
    return reasons


def warn_if_rls_bypassed(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Log a loud warning when tenant isolation rests on the ORM alone."""
    reasons = rls_bypass_reasons(using)
    if reasons:
        banner = "!" * 72
        logger.warning(
            "\n%s\nWARNING: the database role can BYPASS ROW-LEVEL SECURITY (%s).\n"
            "Tenant isolation rests on the ORM alone. Connect DATABASE_URL as a\n"
            "non-owner, non-superuser role and migrate with DATABASE_OWNER_URL.\n%s",
            banner,
            "; ".join(reasons),
            banner,
        )
    return reasons
