"""outbox leases and refusals

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

``amazon_outbox.lease_until`` lets exactly one worker hold a queued call while it talks to Amazon, and lets
another take it over once a crashed worker's lease runs out. Calls Amazon refused used to be FAILED; they are now
REFUSED, and FAILED means the plugin stopped retrying after too many transient failures.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("amazon_outbox") as batch:
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE amazon_outbox SET state = 'REFUSED' WHERE state = 'FAILED'")


def downgrade() -> None:
    op.execute("UPDATE amazon_outbox SET state = 'FAILED' WHERE state = 'REFUSED'")
    with op.batch_alter_table("amazon_outbox") as batch:
        batch.drop_column("lease_until")
