"""Customers carry their group, which customer-group promotions price by.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add customers.customer_group ('' for none); the next catalog pull fills it in."""
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("customer_group", sa.String(length=40), nullable=False, server_default="")
        )


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("customer_group")
