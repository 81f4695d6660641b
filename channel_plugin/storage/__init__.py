"""Persistence: the database handle, the plugin's tables, buyer-data encryption and the Alembic migrations."""
