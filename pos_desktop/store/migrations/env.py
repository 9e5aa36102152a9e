"""Alembic environment of the terminal store: batch mode, because SQLite cannot ALTER much."""

from alembic import context
from sqlalchemy import Connection

from pos_desktop.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Migrate over the connection the app handed in (no alembic.ini, no URL in a file)."""
    connection: Connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()


run_migrations_online()
