"""The async SP-API client behind the synchronous engine, and the factory that gives each store its client.

The engine runs in plain threads (cron, CLI, GraphQL resolvers); one asyncio loop in a daemon thread carries
every store's client, so buckets, access tokens and connection pools live as long as the process, not one call.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import httpx

from channel_plugin.amazon.client import FeedStatus, MarketplaceClient, SearchPage
from channel_plugin.amazon.lwa import LWA_TOKEN_URL, LwaCredentials
from channel_plugin.amazon.spapi import ENDPOINTS, RetryPolicy, SpApiClient
from channel_plugin.amazon.timing import Timer
from channel_plugin.storage.crypto import BuyerDataCipher
from channel_plugin.storage.stores import StoreRecord

T = TypeVar("T")


class LoopThread:
    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="channel-plugin-spapi", daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


class BlockingClient:
    """``MarketplaceClient`` for the engine: each call runs on the loop thread and waits for its answer."""

    def __init__(self, client: SpApiClient, loop: LoopThread) -> None:
        self.client = client
        self._loop = loop

    def search_orders(
        self,
        *,
        marketplace_ids: Sequence[str],
        last_updated_after: datetime,
        last_updated_before: datetime,
        pagination_token: str | None = None,
    ) -> SearchPage:
        return self._loop.run(
            self.client.search_orders(
                marketplace_ids=marketplace_ids,
                last_updated_after=last_updated_after,
                last_updated_before=last_updated_before,
                pagination_token=pagination_token,
            )
        )

    def get_order(self, amazon_order_id: str) -> Any | None:
        return self._loop.run(self.client.get_order(amazon_order_id))

    def confirm_shipment(self, amazon_order_id: str, payload: Mapping[str, Any]) -> None:
        self._loop.run(self.client.confirm_shipment(amazon_order_id, payload))

    def create_feed(self, feed_type: str, content: str, content_type: str) -> str:
        return self._loop.run(self.client.create_feed(feed_type, content, content_type))

    def get_feed(self, feed_id: str) -> FeedStatus:
        return self._loop.run(self.client.get_feed(feed_id))

    def get_feed_document(self, feed_document_id: str) -> str:
        return self._loop.run(self.client.get_feed_document(feed_document_id))


class SpApiClients:
    """The engine's ``marketplace_for``: one client per store, built from its encrypted credentials.

    A client is rebuilt when the store's credentials change; ``transport`` and ``timer`` let the Sandbox put the
    fake server and its clock underneath without changing a line of the client.
    """

    def __init__(
        self,
        cipher: BuyerDataCipher,
        *,
        timer: Timer | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        seed: int | None = None,
    ) -> None:
        self._cipher = cipher
        self._timer = timer
        self._transport = transport
        self._retry = retry
        self._seed = seed
        self._loop: LoopThread | None = None
        self._clients: dict[int, tuple[str, BlockingClient]] = {}
        self._lock = threading.Lock()

    def __call__(self, store: StoreRecord) -> MarketplaceClient:
        if not store.credentials:
            raise RuntimeError(
                f"store {store.id} ({store.name}) has no Amazon credentials: add them with `channel-plugin store add`"
            )
        with self._lock:
            cached = self._clients.get(store.id)
            if cached is not None and cached[0] == store.credentials:
                return cached[1]
            config = self._cipher.decrypt(store.credentials)
            if self._loop is None:
                self._loop = LoopThread()
            client = SpApiClient(
                LwaCredentials.from_mapping(config),
                marketplace_id=store.marketplace_id,
                seller_id=store.seller_id,
                endpoint=str(config.get("endpoint") or ENDPOINTS[store.region]),
                token_url=str(config.get("token_url") or LWA_TOKEN_URL),
                timer=self._timer,
                transport=self._transport,
                retry=self._retry,
                seed=self._seed,
            )
            blocking = BlockingClient(client, self._loop)
            if cached is not None:
                self._loop.run(cached[1].client.aclose())
            self._clients[store.id] = (store.credentials, blocking)
            return blocking

    def client(self, store_id: int) -> SpApiClient | None:
        cached = self._clients.get(store_id)
        return cached[1].client if cached else None

    def close(self) -> None:
        with self._lock:
            if self._loop is None:
                return
            for _, blocking in self._clients.values():
                self._loop.run(blocking.client.aclose())
            self._clients.clear()
            self._loop.close()
            self._loop = None
