"""Products keep the catalog's image url, so product tiles can show the picture.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add products.image_url ('' for none); a product's next catalog change fills it in."""
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("image_url", sa.String(length=500), nullable=False, server_default="")
        )


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("image_url")
