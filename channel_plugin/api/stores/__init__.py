"""Amazon stores: the seller account x marketplace pairs the plugin syncs."""
