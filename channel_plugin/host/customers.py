"""Store views and the customer accounts that belong to their websites."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, select

from channel_plugin.domain.model import StoreView
from channel_plugin.errors import HostError
from channel_plugin.host.dialects import insert_or_ignore
from channel_plugin.host.schema import customers
from channel_plugin.host.sealing import BuyerSeal
from channel_plugin.host.views import CustomerView

DEFAULT_STORE_VIEWS = (
    StoreView("default", "Default Store View", "base", True),
    StoreView("fr", "French Store View", "base", False),
)

_FIND = select(customers.c.id).where(
    customers.c.website == bindparam("website"), customers.c.email_index == bindparam("email_index")
)
_ALL = select(customers.c.id, customers.c.website, customers.c.sealed).order_by(customers.c.id)


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

    def __init__(self, store_views: StoreViews, seal: BuyerSeal, *, is_sqlite: bool) -> None:
        self._store_views = store_views
        self._seal = seal
        self._create = insert_or_ignore(customers, ["website", "email_index"], is_sqlite=is_sqlite).returning(
            customers.c.id
        )

    def find_or_create(self, conn: Connection, store_view: str, email: str, name: str | None) -> str:
        """The customer's id; a concurrent creator of the same account wins and its id is returned.

        Emails are compared lower-cased because mail providers, and shoppers, treat them case-insensitively.
        """
        email = email.strip().lower()
        if not email:
            raise HostError("a customer account needs an email address")
        key = {"website": self._store_views.website_of(store_view), "email_index": self._seal.email_index(email)}
        found = conn.execute(_FIND, key).scalar()
        if found is None:
            sealed = self._seal.seal({"email": email, "name": name})
            found = conn.execute(self._create, {**key, "sealed": sealed}).scalar()
        if found is None:  # lost the race: the other writer's row is committed by now
            found = conn.execute(_FIND, key).scalar_one()
        return str(found)

    def all(self, conn: Connection) -> list[CustomerView]:
        views = []
        for row in conn.execute(_ALL):
            buyer = self._seal.open(row.sealed)
            views.append(CustomerView(str(row.id), row.website, buyer["email"], buyer.get("name")))
        return views
