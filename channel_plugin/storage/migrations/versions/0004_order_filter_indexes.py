"""order filter indexes

One index per ``amazonOrders`` filter, each ending in the sort key and the id, so that a keyset page (filter,
then ``ORDER BY sort key, id`` after the cursor) is a range scan of one index at any depth.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_INDEXES = {
    "ix_amazon_orders_store_status_purchase": ["store_id", "status", "purchase_date", "id"],
    "ix_amazon_orders_store_state_purchase": ["store_id", "import_state", "purchase_date", "id"],
    "ix_amazon_orders_store_channel_purchase": ["store_id", "fulfillment_channel", "purchase_date", "id"],
    "ix_amazon_orders_store_total": ["store_id", "grand_total", "id"],
    "ix_amazon_orders_store_updated": ["store_id", "last_update_date", "id"],
}


def upgrade() -> None:
    for name, columns in _INDEXES.items():
        op.create_index(name, "amazon_orders", columns, unique=False)


def downgrade() -> None:
    for name in reversed(_INDEXES):
        op.drop_index(name, table_name="amazon_orders")
