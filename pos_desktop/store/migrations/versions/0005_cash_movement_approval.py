"""Cash in and cash out carry the manager who approved them with their PIN.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add cash_movements.manager_id (empty for movements made before approvals)."""
    with op.batch_alter_table("cash_movements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("manager_id", sa.String(length=36), nullable=False, server_default="")
        )


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("cash_movements", schema=None) as batch_op:
        batch_op.drop_column("manager_id")
