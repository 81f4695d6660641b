"""The GraphQL API: one folder per domain (orders, settings, blockers, stores), assembled in ``schema.py``."""
