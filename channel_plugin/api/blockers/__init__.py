"""Import blockers: why orders did not become Commerce orders, per order and grouped by SKU, and the retries."""
