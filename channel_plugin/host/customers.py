"""Store views and the customer accounts that belong to their websites."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, select

from channel_plugin.domain.model import StoreView
from channel_plugin.errors import HostError
from channel_plugin.host.dialects import insert_or_ignore
from channel_plugin.host.schema import customers
from channel_plugin.host.views import CustomerView

DEFAULT_STORE_VIEWS = (
    StoreView("default", "Default Store View", "base", True),
    StoreView("fr", "French Store View", "base", False),
)

_FIND = select(customers.c.id).where(
    customers.c.website == bindparam("website"), customers.c.email == bindparam("email")
)
_ALL = select(customers.c.id, customers.c.website, customers.c.email, customers.c.name).order_by(customers.c.id)


class StoreViews:
    """The host's store views, fixed at construction as a real host's would be between deployments."""

    def __init__(self, views: Sequence[StoreView]) -> None:
        self.all = tuple(views)
        self._by_code = {view.code: view for view in self.all}
        if len(self._by_code) != len(self.all):
            raise ValueError("store view codes must be unique")

    def website_of(self, code: str) -> str:
        view = self._by_code.get(code)
        if view is None:
            raise HostError(f"no store view {code}")
        return view.website


class Customers:
    """One account per (website, email): what the NEW_ACCOUNT customer creation setting relies on."""

    def __init__(self, store_views: StoreViews, *, is_sqlite: bool) -> None:
        self._store_views = store_views
        self._create = insert_or_ignore(customers, ["website", "email"], is_sqlite=is_sqlite).returning(customers.c.id)

    def find_or_create(self, conn: Connection, store_view: str, email: str, name: str | None) -> str:
        """The customer's id; a concurrent creator of the same account wins and its id is returned.

        Emails are compared lower-cased because mail providers, and shoppers, treat them case-insensitively.
        """
        email = email.strip().lower()
        if not email:
            raise HostError("a customer account needs an email address")
        key = {"website": self._store_views.website_of(store_view), "email": email}
        found = conn.execute(_FIND, key).scalar()
        if found is None:
            found = conn.execute(self._create, {**key, "name": name}).scalar()
        if found is None:  # lost the race: the other writer's row is committed by now
            found = conn.execute(_FIND, key).scalar_one()
        return str(found)

    @staticmethod
    def all(conn: Connection) -> list[CustomerView]:
        return [CustomerView(str(row.id), row.website, row.email, row.name) for row in conn.execute(_ALL)]
