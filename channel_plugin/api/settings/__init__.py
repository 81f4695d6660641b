"""Order settings per store, and the host's order statuses for the custom-status choice."""
