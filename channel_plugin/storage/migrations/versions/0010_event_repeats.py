"""history events count their repeats

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

A blocked order is re-checked every cycle; an unchanged outcome now bumps ``count`` and ``last_at`` of the event
that first recorded it instead of adding nothing (or, before, a copy per cycle). Existing events were seen once, at
their own time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("count", sa.Integer(), nullable=False, server_default=sa.text("1")))
        batch_op.add_column(sa.Column("last_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE order_events SET last_at = at")
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.alter_column("last_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.drop_column("last_at")
        batch_op.drop_column("count")
