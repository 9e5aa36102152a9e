"""Products keep the catalog's tile colour, so the till's tiles look as the owner set them.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add products.colour ('' for none: the tile takes a colour from its category)."""
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("colour", sa.String(length=16), nullable=False, server_default="")
        )


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("colour")
