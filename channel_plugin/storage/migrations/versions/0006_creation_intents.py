"""creation intents and shipment reconciliation

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

``creation_intents`` records, durably and before the host is called, that the plugin is about to ask the host to
create a Commerce order; ``sync_state.shipments_reconciled_at`` paces the periodic shipment reconciliation.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "creation_intents",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("amazon_order_id", sa.String(64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "amazon_order_id", name="pk_creation_intents"),
    )
    with op.batch_alter_table("sync_state") as batch:
        batch.add_column(sa.Column("shipments_reconciled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_state") as batch:
        batch.drop_column("shipments_reconciled_at")
    op.drop_table("creation_intents")
