"""The plugin's own tables (SQLAlchemy Core: the import engine writes pages with set-based statements).

Uniqueness that keeps imports idempotent lives here, not in application code: one Amazon order row per
(store, Amazon order id), one item row per (order, order item id), one open blocker per (order, kind, SKU), one
Commerce order per Amazon order, one queued Amazon call per (order, kind, reference).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from channel_plugin.storage.types import ExactMoney, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

amazon_stores = Table(
    "amazon_stores",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("seller_id", String(64), nullable=False),
    Column("marketplace_id", String(32), nullable=False),
    Column("region", String(8), nullable=False),
    Column("website", String(64), nullable=False),
    Column("integrated_at", UTCDateTime(), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("credentials", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("seller_id", "marketplace_id", name="uq_amazon_stores_seller_marketplace"),
)

order_settings = Table(
    "order_settings",
    metadata,
    Column("store_id", Integer, ForeignKey("amazon_stores.id", ondelete="CASCADE"), primary_key=True),
    Column("import_enabled", Boolean, nullable=False),
    Column("import_store_view", String(64), nullable=True),
    Column("customer_creation", String(16), nullable=False),
    Column("order_number_source", String(16), nullable=False),
    Column("reserve_quantity", String(16), nullable=False),
    Column("order_status", String(16), nullable=False),
    Column("processing_order_status", String(64), nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
)

amazon_orders = Table(
    "amazon_orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", Integer, ForeignKey("amazon_stores.id", ondelete="CASCADE"), nullable=False),
    Column("amazon_order_id", String(64), nullable=False),
    Column("marketplace_id", String(32), nullable=True),
    Column("purchase_date", UTCDateTime(), nullable=False),
    Column("last_update_date", UTCDateTime(), nullable=False),
    Column("status", String(24), nullable=False),
    Column("fulfillment_channel", String(16), nullable=False),
    Column("currency", String(3), nullable=True),
    Column("grand_total", ExactMoney(), nullable=True),
    Column("ship_service_level", String(64), nullable=True),
    Column("ship_by", UTCDateTime(), nullable=True),
    Column("deliver_by", UTCDateTime(), nullable=True),
    Column("buyer_data", Text, nullable=True),
    Column("buyer_name_tokens", Text, nullable=True),
    Column("buyer_data_erased_at", UTCDateTime(), nullable=True),
    Column("import_state", String(16), nullable=False),
    Column("commerce_order_id", String(64), nullable=True),
    Column("commerce_increment_id", String(64), nullable=True),
    Column("reservation_reference", String(128), nullable=True),
    Column("reserved", JSON, nullable=True),
    Column("sku_map", JSON, nullable=True),
    Column("notes", Text, nullable=True),
    Column("error_message", Text, nullable=True),
    Column("raw_payload", Text, nullable=True),
    Column("shipped_at", UTCDateTime(), nullable=True),
    Column("completed_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("store_id", "amazon_order_id", name="uq_amazon_orders_store_order"),
    UniqueConstraint("commerce_order_id", name="uq_amazon_orders_commerce_order"),
    Index("ix_amazon_orders_store_state", "store_id", "import_state"),
    Index("ix_amazon_orders_store_purchase", "store_id", "purchase_date", "id"),
    Index("ix_amazon_orders_store_status", "store_id", "status"),
    # amazonOrders: one index per filter, ending in the sort key and id so a keyset page is a range scan.
    Index("ix_amazon_orders_store_status_purchase", "store_id", "status", "purchase_date", "id"),
    Index("ix_amazon_orders_store_state_purchase", "store_id", "import_state", "purchase_date", "id"),
    Index("ix_amazon_orders_store_channel_purchase", "store_id", "fulfillment_channel", "purchase_date", "id"),
    Index("ix_amazon_orders_store_total", "store_id", "grand_total", "id"),
    Index("ix_amazon_orders_store_updated", "store_id", "last_update_date", "id"),
)

amazon_order_items = Table(
    "amazon_order_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("amazon_orders.id", ondelete="CASCADE"), nullable=False),
    Column("order_item_id", String(64), nullable=False),
    Column("seller_sku", String(255), nullable=False),
    Column("asin", String(16), nullable=True),
    Column("title", Text, nullable=True),
    Column("quantity_ordered", Integer, nullable=False),
    Column("quantity_shipped", Integer, nullable=False, default=0),
    Column("item_price", ExactMoney(), nullable=True),
    Column("currency", String(3), nullable=True),
    UniqueConstraint("order_id", "order_item_id", name="uq_amazon_order_items_order_item"),
    Index("ix_amazon_order_items_seller_sku", "seller_sku"),
)

order_tracking = Table(
    "order_tracking",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("amazon_orders.id", ondelete="CASCADE"), nullable=False),
    Column("commerce_shipment_id", String(64), nullable=False),
    Column("carrier", String(64), nullable=False),
    Column("tracking_number", String(128), nullable=False),
    Column("shipped_at", UTCDateTime(), nullable=False),
    Column("items", JSON, nullable=False),
    UniqueConstraint("order_id", "commerce_shipment_id", name="uq_order_tracking_order_shipment"),
)

amazon_outbox = Table(
    "amazon_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", Integer, ForeignKey("amazon_stores.id", ondelete="CASCADE"), nullable=False),
    Column("order_id", Integer, ForeignKey("amazon_orders.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("reference", String(128), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("lease_until", UTCDateTime(), nullable=True),
    UniqueConstraint("order_id", "kind", "reference", name="uq_amazon_outbox_order_kind_ref"),
    Index("ix_amazon_outbox_due", "state", "next_attempt_at"),
)

amazon_feeds = Table(
    "amazon_feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", Integer, ForeignKey("amazon_stores.id", ondelete="CASCADE"), nullable=False),
    Column("feed_type", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("amazon_feed_id", String(64), nullable=True),
    Column("claimed_until", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("submitted_at", UTCDateTime(), nullable=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("last_error", Text, nullable=True),
    Index("ix_amazon_feeds_store_state", "store_id", "state"),
)

amazon_cancellations = Table(
    "amazon_cancellations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", Integer, ForeignKey("amazon_stores.id", ondelete="CASCADE"), nullable=False),
    Column("order_id", Integer, ForeignKey("amazon_orders.id", ondelete="CASCADE"), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("previous_status", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("feed_id", Integer, ForeignKey("amazon_feeds.id", ondelete="SET NULL"), nullable=True),
    Column("message", Text, nullable=True),
    Column("requested_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("order_id", name="uq_amazon_cancellations_order_id"),
    Index("ix_amazon_cancellations_store_state", "store_id", "state"),
    Index("ix_amazon_cancellations_feed_id", "feed_id"),
)

import_blockers = Table(
    "import_blockers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", Integer, ForeignKey("amazon_stores.id", ondelete="CASCADE"), nullable=False),
    Column("order_id", Integer, ForeignKey("amazon_orders.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("seller_sku", String(255), nullable=True),
    Column("catalog_sku", String(255), nullable=True),
    Column("message", Text, nullable=False),
    Column("first_seen", UTCDateTime(), nullable=False),
    Column("last_checked", UTCDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False, default=1),
    Column("resolved_at", UTCDateTime(), nullable=True),
    Index(
        "uq_import_blockers_open",
        "order_id",
        "kind",
        "seller_sku",
        unique=True,
        sqlite_where=text("resolved_at IS NULL"),
        postgresql_where=text("resolved_at IS NULL"),
    ),
    Index("ix_import_blockers_open_sku", "seller_sku", "resolved_at"),
    Index("ix_import_blockers_open_catalog_sku", "catalog_sku", "resolved_at"),
    Index("ix_import_blockers_store_resolved", "store_id", "resolved_at"),
)

order_events = Table(
    "order_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("amazon_orders.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("message", Text, nullable=False),
    # A repeated, unchanged outcome (a blocked order re-checked every cycle) bumps these instead of adding a row.
    Column("count", Integer, nullable=False, server_default=text("1")),
    Column("last_at", UTCDateTime(), nullable=False),
    Index("ix_order_events_order", "order_id", "id"),
)

sku_matches = Table(
    "sku_matches",
    metadata,
    Column("store_id", Integer, ForeignKey("amazon_stores.id", ondelete="CASCADE"), primary_key=True),
    Column("seller_sku", String(255), primary_key=True),
    Column("product_sku", String(255), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

sync_state = Table(
    "sync_state",
    metadata,
    Column("store_id", Integer, ForeignKey("amazon_stores.id", ondelete="CASCADE"), primary_key=True),
    Column("watermark", UTCDateTime(), nullable=True),
    Column("last_run_at", UTCDateTime(), nullable=True),
    Column("last_result", String(16), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("shipments_reconciled_at", UTCDateTime(), nullable=True),
    Column("orders_reconciled_at", UTCDateTime(), nullable=True),
)

# One row per (store, UTC day) re-read by reconciliation: the latest pass over that day replaces the earlier one.
reconciliation_reports = Table(
    "reconciliation_reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", Integer, ForeignKey("amazon_stores.id", ondelete="CASCADE"), nullable=False),
    Column("day", Date, nullable=False),
    Column("ran_at", UTCDateTime(), nullable=False),
    Column("on_amazon", Integer, nullable=False),
    Column("stored", Integer, nullable=False),
    Column("imported", Integer, nullable=False),
    Column("blocked", Integer, nullable=False),
    Column("found_late", Integer, nullable=False),
    UniqueConstraint("store_id", "day", name="uq_reconciliation_reports_store_day"),
)

# Attempts to create a Commerce order that have not yet ended in an IMPORTED order here. Committed on their own,
# before the page's unit of work calls the host, so they survive its rollback and a killed process; no foreign key,
# because the order row may not exist yet (a new order is only inserted by that unit of work).
creation_intents = Table(
    "creation_intents",
    metadata,
    Column("store_id", Integer, primary_key=True),
    Column("amazon_order_id", String(64), primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("first_at", UTCDateTime(), nullable=False),
    Column("last_at", UTCDateTime(), nullable=False),
)

sync_errors = Table(
    "sync_errors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", Integer, ForeignKey("amazon_stores.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("amazon_order_id", String(64), nullable=True),
    Column("message", Text, nullable=False),
    Index("ix_sync_errors_store_at", "store_id", "at"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("scope", String(8), nullable=False),
    Column("label", String(255), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
)
