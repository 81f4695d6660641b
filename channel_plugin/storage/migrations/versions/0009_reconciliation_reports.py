"""per-day reconciliation reports

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

``reconciliation_reports`` holds, per store and UTC day, what the last reconciliation pass found: orders on
Amazon, stored, imported, blocked, and found late (missed or stale until that pass);
``sync_state.orders_reconciled_at`` when the last pass (or the first cycle) ran, from which the next is due.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reconciliation_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on_amazon", sa.Integer(), nullable=False),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("blocked", sa.Integer(), nullable=False),
        sa.Column("found_late", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["amazon_stores.id"],
            name="fk_reconciliation_reports_store_id_amazon_stores",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reconciliation_reports"),
        sa.UniqueConstraint("store_id", "day", name="uq_reconciliation_reports_store_day"),
    )
    with op.batch_alter_table("sync_state") as batch_op:
        batch_op.add_column(sa.Column("orders_reconciled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_state") as batch_op:
        batch_op.drop_column("orders_reconciled_at")
    op.drop_table("reconciliation_reports")
