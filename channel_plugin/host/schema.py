"""The reference host's tables: a deliberately small Commerce catalog, customers and orders.

They live in their own ``MetaData`` with a ``host_`` prefix because a real host owns its schema: the plugin
never reads them, only the host services do. The reference host creates them with ``create_all`` rather than
Alembic because it is a demo and test fixture whose data is never upgraded in place.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Sequence,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from channel_plugin.domain.model import OrderStatusOption
from channel_plugin.storage.types import ExactMoney, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Order states: the host's fixed lifecycle. Statuses are the merchant-facing labels hung on them.
NEW = "new"
PROCESSING = "processing"
COMPLETE = "complete"
CANCELED = "canceled"
CLOSED = "closed"
HOLDED = "holded"

# States an order never leaves, so nothing may ship, cancel or be created into them.
FINAL_STATES = frozenset({COMPLETE, CANCELED, CLOSED})

SEED_STATUSES = (
    OrderStatusOption("pending", "Pending", NEW),
    OrderStatusOption("processing", "Processing", PROCESSING),
    OrderStatusOption("ready_to_ship", "Ready to ship", PROCESSING),
    OrderStatusOption("complete", "Complete", COMPLETE),
    OrderStatusOption("canceled", "Canceled", CANCELED),
    OrderStatusOption("closed", "Closed", CLOSED),
    OrderStatusOption("holded", "On Hold", HOLDED),
)

# The status an order gets when the host moves it into a state without being told which status to use.
DEFAULT_STATUS = {PROCESSING: "processing", COMPLETE: "complete", CANCELED: "canceled"}

# ``reserved`` is denormalised from host_reservations so that salable = qty - reserved is one row read (and
# one row lock on PostgreSQL); every change to one is made in the same unit of work as a change to the other.
products = Table(
    "host_products",
    metadata,
    Column("sku", String(255), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("manage_stock", Boolean, nullable=False),
    Column("qty", Integer, nullable=False),
    Column("reserved", Integer, nullable=False),
    CheckConstraint("reserved >= 0", name="reserved_not_negative"),
)

reservations = Table(
    "host_reservations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(128), nullable=False),
    Column("sku", String(255), ForeignKey("host_products.sku"), nullable=False),
    Column("qty", Integer, nullable=False),
    Index("ix_host_reservations_reference", "reference"),
)

customers = Table(
    "host_customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("website", String(64), nullable=False),
    # Buyer data is encrypted at rest (host/sealing.py): the account is found by a keyed digest of its email, and
    # its email and name live only in the sealed blob.
    Column("email_index", String(64), nullable=False),
    Column("sealed", Text, nullable=False),
    UniqueConstraint("website", "email_index", name="uq_host_customers_website_email"),
)

order_statuses = Table(
    "host_order_statuses",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("label", String(255), nullable=False),
    Column("state", String(32), nullable=False),
)

# The id comes from this sequence on PostgreSQL and from max(id) + 1 on SQLite (see dialects.OrderIds), taken
# before the INSERT so that the default increment id can be derived from it and a page's orders go in at once.
order_id_seq = Sequence("host_orders_id_seq", metadata=metadata)

orders = Table(
    "host_orders",
    metadata,
    Column("id", Integer, order_id_seq, primary_key=True),
    Column("increment_id", String(64), nullable=False, unique=True),
    Column("store_view", String(64), nullable=False),
    Column("state", String(32), nullable=False),
    Column("status", String(32), ForeignKey("host_order_statuses.code"), nullable=False),
    Column("customer_id", Integer, ForeignKey("host_customers.id"), nullable=True),
    Column("buyer", Text, nullable=True),  # sealed {"email", "name"}; None once erased
    Column("currency", String(3), nullable=False),
    Column("grand_total", ExactMoney(), nullable=False),
    Column("amazon_order_id", String(64), nullable=True),
    Column("external_reference", String(128), nullable=True),
    Column("stock_deducted", Boolean, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_host_orders_external_reference", "external_reference"),
)

order_items = Table(
    "host_order_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("host_orders.id"), nullable=False),
    Column("sku", String(255), nullable=False),
    Column("name", String(255), nullable=False),
    Column("qty", Integer, nullable=False),
    Column("qty_shipped", Integer, nullable=False),
    Column("qty_canceled", Integer, nullable=False),
    Column("unit_price", ExactMoney(), nullable=False),
    Index("ix_host_order_items_order", "order_id", "id"),
)

shipments = Table(
    "host_shipments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("host_orders.id"), nullable=False),
    Column("carrier", String(64), nullable=False),
    Column("tracking_number", String(128), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_host_shipments_order", "order_id"),
)

shipment_items = Table(
    "host_shipment_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("shipment_id", Integer, ForeignKey("host_shipments.id"), nullable=False),
    Column("order_item_id", Integer, ForeignKey("host_order_items.id"), nullable=False),
    Column("qty", Integer, nullable=False),
    Index("ix_host_shipment_items_shipment", "shipment_id"),
)

# One shipping address per order, apart from the hot ``host_orders`` row: most reads of an order never need it.
order_addresses = Table(
    "host_order_addresses",
    metadata,
    Column("order_id", Integer, ForeignKey("host_orders.id"), primary_key=True),
    Column("sealed", Text, nullable=False),  # the whole Address, sealed
)
