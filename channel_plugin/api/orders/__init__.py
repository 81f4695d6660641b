"""Amazon orders: ``amazonOrders`` (filters, sorts, keyset cursors), ``amazonOrder`` and the per-request loaders."""
