"""Background jobs (a store's sync, a retry of every blocked order) as the API shows them."""
