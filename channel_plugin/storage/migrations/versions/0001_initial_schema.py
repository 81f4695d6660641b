"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "amazon_stores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("marketplace_id", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=False),
        sa.Column("website", sa.String(length=64), nullable=False),
        sa.Column("integrated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("credentials", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amazon_stores")),
        sa.UniqueConstraint("seller_id", "marketplace_id", name="uq_amazon_stores_seller_marketplace"),
    )
    op.create_table(
        "amazon_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("amazon_order_id", sa.String(length=64), nullable=False),
        sa.Column("marketplace_id", sa.String(length=32), nullable=True),
        sa.Column("purchase_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_update_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("fulfillment_channel", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("grand_total", sa.BigInteger(), nullable=True),
        sa.Column("ship_service_level", sa.String(length=64), nullable=True),
        sa.Column("ship_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deliver_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("buyer_data", sa.Text(), nullable=True),
        sa.Column("buyer_data_erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("import_state", sa.String(length=16), nullable=False),
        sa.Column("commerce_order_id", sa.String(length=64), nullable=True),
        sa.Column("commerce_increment_id", sa.String(length=64), nullable=True),
        sa.Column("reservation_reference", sa.String(length=128), nullable=True),
        sa.Column("reserved", sa.JSON(), nullable=True),
        sa.Column("sku_map", sa.JSON(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("raw_payload", sa.Text(), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["amazon_stores.id"],
            name=op.f("fk_amazon_orders_store_id_amazon_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amazon_orders")),
        sa.UniqueConstraint("commerce_order_id", name="uq_amazon_orders_commerce_order"),
        sa.UniqueConstraint("store_id", "amazon_order_id", name="uq_amazon_orders_store_order"),
    )
    with op.batch_alter_table("amazon_orders", schema=None) as batch_op:
        batch_op.create_index("ix_amazon_orders_store_purchase", ["store_id", "purchase_date", "id"], unique=False)
        batch_op.create_index("ix_amazon_orders_store_state", ["store_id", "import_state"], unique=False)
        batch_op.create_index("ix_amazon_orders_store_status", ["store_id", "status"], unique=False)

    op.create_table(
        "order_settings",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("import_enabled", sa.Boolean(), nullable=False),
        sa.Column("import_store_view", sa.String(length=64), nullable=True),
        sa.Column("customer_creation", sa.String(length=16), nullable=False),
        sa.Column("order_number_source", sa.String(length=16), nullable=False),
        sa.Column("reserve_quantity", sa.String(length=16), nullable=False),
        sa.Column("order_status", sa.String(length=16), nullable=False),
        sa.Column("processing_order_status", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["amazon_stores.id"],
            name=op.f("fk_order_settings_store_id_amazon_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("store_id", name=op.f("pk_order_settings")),
    )
    op.create_table(
        "sku_matches",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("seller_sku", sa.String(length=255), nullable=False),
        sa.Column("product_sku", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["amazon_stores.id"],
            name=op.f("fk_sku_matches_store_id_amazon_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("store_id", "seller_sku", name=op.f("pk_sku_matches")),
    )
    op.create_table(
        "sync_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("amazon_order_id", sa.String(length=64), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["amazon_stores.id"],
            name=op.f("fk_sync_errors_store_id_amazon_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_errors")),
    )
    with op.batch_alter_table("sync_errors", schema=None) as batch_op:
        batch_op.create_index("ix_sync_errors_store_at", ["store_id", "at"], unique=False)

    op.create_table(
        "sync_state",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("watermark", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_result", sa.String(length=16), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["amazon_stores.id"],
            name=op.f("fk_sync_state_store_id_amazon_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("store_id", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "amazon_order_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("order_item_id", sa.String(length=64), nullable=False),
        sa.Column("seller_sku", sa.String(length=255), nullable=False),
        sa.Column("asin", sa.String(length=16), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("quantity_ordered", sa.Integer(), nullable=False),
        sa.Column("quantity_shipped", sa.Integer(), nullable=False),
        sa.Column("item_price", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["amazon_orders.id"],
            name=op.f("fk_amazon_order_items_order_id_amazon_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amazon_order_items")),
        sa.UniqueConstraint("order_id", "order_item_id", name="uq_amazon_order_items_order_item"),
    )
    with op.batch_alter_table("amazon_order_items", schema=None) as batch_op:
        batch_op.create_index("ix_amazon_order_items_seller_sku", ["seller_sku"], unique=False)

    op.create_table(
        "amazon_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["amazon_orders.id"],
            name=op.f("fk_amazon_outbox_order_id_amazon_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["amazon_stores.id"],
            name=op.f("fk_amazon_outbox_store_id_amazon_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amazon_outbox")),
        sa.UniqueConstraint("order_id", "kind", "reference", name="uq_amazon_outbox_order_kind_ref"),
    )
    with op.batch_alter_table("amazon_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_amazon_outbox_due", ["state", "next_attempt_at"], unique=False)

    op.create_table(
        "import_blockers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("seller_sku", sa.String(length=255), nullable=True),
        sa.Column("catalog_sku", sa.String(length=255), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_checked", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["amazon_orders.id"],
            name=op.f("fk_import_blockers_order_id_amazon_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["amazon_stores.id"],
            name=op.f("fk_import_blockers_store_id_amazon_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_blockers")),
    )
    with op.batch_alter_table("import_blockers", schema=None) as batch_op:
        batch_op.create_index("ix_import_blockers_open_catalog_sku", ["catalog_sku", "resolved_at"], unique=False)
        batch_op.create_index("ix_import_blockers_open_sku", ["seller_sku", "resolved_at"], unique=False)
        batch_op.create_index("ix_import_blockers_store_resolved", ["store_id", "resolved_at"], unique=False)
        batch_op.create_index(
            "uq_import_blockers_open",
            ["order_id", "kind", "seller_sku"],
            unique=True,
            sqlite_where=sa.text("resolved_at IS NULL"),
            postgresql_where=sa.text("resolved_at IS NULL"),
        )

    op.create_table(
        "order_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["amazon_orders.id"],
            name=op.f("fk_order_events_order_id_amazon_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
    )
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.create_index("ix_order_events_order", ["order_id", "id"], unique=False)

    op.create_table(
        "order_tracking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("commerce_shipment_id", sa.String(length=64), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("tracking_number", sa.String(length=128), nullable=False),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["amazon_orders.id"],
            name=op.f("fk_order_tracking_order_id_amazon_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_tracking")),
        sa.UniqueConstraint("order_id", "commerce_shipment_id", name="uq_order_tracking_order_shipment"),
    )


def downgrade() -> None:
    op.drop_table("order_tracking")
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.drop_index("ix_order_events_order")

    op.drop_table("order_events")
    with op.batch_alter_table("import_blockers", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_import_blockers_open",
            sqlite_where=sa.text("resolved_at IS NULL"),
            postgresql_where=sa.text("resolved_at IS NULL"),
        )
        batch_op.drop_index("ix_import_blockers_store_resolved")
        batch_op.drop_index("ix_import_blockers_open_sku")
        batch_op.drop_index("ix_import_blockers_open_catalog_sku")

    op.drop_table("import_blockers")
    with op.batch_alter_table("amazon_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_amazon_outbox_due")

    op.drop_table("amazon_outbox")
    with op.batch_alter_table("amazon_order_items", schema=None) as batch_op:
        batch_op.drop_index("ix_amazon_order_items_seller_sku")

    op.drop_table("amazon_order_items")
    op.drop_table("sync_state")
    with op.batch_alter_table("sync_errors", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_errors_store_at")

    op.drop_table("sync_errors")
    op.drop_table("sku_matches")
    op.drop_table("order_settings")
    with op.batch_alter_table("amazon_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_amazon_orders_store_status")
        batch_op.drop_index("ix_amazon_orders_store_state")
        batch_op.drop_index("ix_amazon_orders_store_purchase")

    op.drop_table("amazon_orders")
    op.drop_table("amazon_stores")
