"""The admin dashboard: a static page served by Starlette that talks only to the GraphQL API."""
