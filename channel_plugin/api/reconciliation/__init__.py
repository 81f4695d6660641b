"""``reconciliation`` reports and the ``reconcileStore`` mutation."""
