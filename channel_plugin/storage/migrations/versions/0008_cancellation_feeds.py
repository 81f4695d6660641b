"""cancellations sent in batches as order-acknowledgement feeds

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

``amazon_cancellations`` holds one cancellation request per order (pending, in a feed, accepted or refused with
Amazon's message); ``amazon_feeds`` the feeds that carried them, followed until Amazon has processed them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "amazon_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("feed_type", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("amazon_feed_id", sa.String(64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["store_id"], ["amazon_stores.id"], name="fk_amazon_feeds_store_id_amazon_stores", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_amazon_feeds"),
    )
    op.create_index("ix_amazon_feeds_store_state", "amazon_feeds", ["store_id", "state"])
    op.create_table(
        "amazon_cancellations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("previous_status", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["amazon_stores.id"],
            name="fk_amazon_cancellations_store_id_amazon_stores",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["amazon_orders.id"],
            name="fk_amazon_cancellations_order_id_amazon_orders",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["amazon_feeds.id"], name="fk_amazon_cancellations_feed_id_amazon_feeds", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_amazon_cancellations"),
        sa.UniqueConstraint("order_id", name="uq_amazon_cancellations_order_id"),
    )
    op.create_index("ix_amazon_cancellations_store_state", "amazon_cancellations", ["store_id", "state"])
    op.create_index("ix_amazon_cancellations_feed_id", "amazon_cancellations", ["feed_id"])
    # Cancellations still queued the old way (one outbox call each) become pending requests for the next feed.
    bind = op.get_bind()
    outbox = sa.table(
        "amazon_outbox",
        sa.column("id", sa.Integer()),
        sa.column("store_id", sa.Integer()),
        sa.column("order_id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("state", sa.String()),
        sa.column("payload", sa.JSON()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    queued = bind.execute(
        sa.select(outbox).where(outbox.c.kind == "CANCEL_ORDER", outbox.c.state == "PENDING")
    ).fetchall()
    cancellations = sa.table(
        "amazon_cancellations",
        *(sa.column(name) for name in ("store_id", "order_id", "reason", "previous_status", "state")),
        sa.column("requested_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    for row in queued:
        bind.execute(
            cancellations.insert().values(
                store_id=row.store_id,
                order_id=row.order_id,
                reason=(row.payload or {}).get("reason") or "GeneralAdjustment",
                previous_status="UNSHIPPED",
                state="PENDING",
                requested_at=row.created_at,
                updated_at=row.created_at,
            )
        )
    bind.execute(sa.delete(outbox).where(outbox.c.id.in_([row.id for row in queued])))


def downgrade() -> None:
    op.drop_table("amazon_cancellations")
    op.drop_table("amazon_feeds")
