"""Amazon stores and their order settings, SKU matches and sync state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from channel_plugin.domain.enums import CustomerCreation, OrderNumberSource, OrderStatusMode, ReserveQuantity
from channel_plugin.domain.model import StoreInfo
from channel_plugin.domain.settings import OrderSettings
from channel_plugin.storage.tables import amazon_stores, order_settings, sku_matches, sync_state


@dataclass(frozen=True, slots=True)
class StoreRecord:
    id: int
    name: str
    seller_id: str
    marketplace_id: str
    region: str
    website: str
    integrated_at: datetime
    active: bool
    credentials: str | None = field(default=None, repr=False)  # encrypted LWA credentials and endpoints

    def info(self) -> StoreInfo:
        return StoreInfo(self.id, self.name, self.seller_id, self.marketplace_id, self.region, self.website)


def _store(row: object) -> StoreRecord:
    m = row._mapping  # type: ignore[attr-defined]
    return StoreRecord(
        m["id"],
        m["name"],
        m["seller_id"],
        m["marketplace_id"],
        m["region"],
        m["website"],
        m["integrated_at"],
        m["active"],
        m["credentials"],
    )


def add_store(
    conn: Connection,
    *,
    name: str,
    seller_id: str,
    marketplace_id: str,
    region: str,
    website: str,
    integrated_at: datetime,
    settings: OrderSettings,
    now: datetime,
    credentials: str | None = None,
) -> StoreRecord:
    store_id = conn.execute(
        insert(amazon_stores).returning(amazon_stores.c.id),
        {
            "name": name,
            "seller_id": seller_id,
            "marketplace_id": marketplace_id,
            "region": region,
            "website": website,
            "integrated_at": integrated_at,
            "active": True,
            "credentials": credentials,
            "created_at": now,
        },
    ).scalar_one()
    save_settings(conn, store_id, settings, now, insert_row=True)
    conn.execute(insert(sync_state), {"store_id": store_id, "watermark": None})
    return get_store(conn, store_id)  # type: ignore[return-value]


def set_credentials(conn: Connection, store_id: int, credentials: str) -> None:
    conn.execute(update(amazon_stores).where(amazon_stores.c.id == store_id).values(credentials=credentials))


def get_store(conn: Connection, store_id: int) -> StoreRecord | None:
    row = conn.execute(select(amazon_stores).where(amazon_stores.c.id == store_id)).first()
    return _store(row) if row else None


def list_stores(conn: Connection, *, active_only: bool = False) -> list[StoreRecord]:
    query = select(amazon_stores).order_by(amazon_stores.c.id)
    if active_only:
        query = query.where(amazon_stores.c.active.is_(True))
    return [_store(r) for r in conn.execute(query)]


def load_settings(conn: Connection, store_id: int) -> OrderSettings:
    m = conn.execute(select(order_settings).where(order_settings.c.store_id == store_id)).one()._mapping
    return OrderSettings(
        import_enabled=m["import_enabled"],
        import_store_view=m["import_store_view"],
        customer_creation=CustomerCreation(m["customer_creation"]),
        order_number_source=OrderNumberSource(m["order_number_source"]),
        reserve_quantity=ReserveQuantity(m["reserve_quantity"]),
        order_status=OrderStatusMode(m["order_status"]),
        processing_order_status=m["processing_order_status"],
    )


def save_settings(
    conn: Connection, store_id: int, settings: OrderSettings, now: datetime, *, insert_row: bool = False
) -> None:
    values = {**settings.as_dict(), "updated_at": now}
    if insert_row:
        conn.execute(insert(order_settings), {"store_id": store_id, **values})
    else:
        conn.execute(update(order_settings).where(order_settings.c.store_id == store_id).values(**values))


def sku_match_map(conn: Connection, store_id: int, seller_skus: list[str]) -> dict[str, str]:
    if not seller_skus:
        return {}
    rows = conn.execute(
        select(sku_matches.c.seller_sku, sku_matches.c.product_sku).where(
            sku_matches.c.store_id == store_id, sku_matches.c.seller_sku.in_(seller_skus)
        )
    )
    return {r.seller_sku: r.product_sku for r in rows}


def save_sku_match(conn: Connection, store_id: int, seller_sku: str, product_sku: str, now: datetime) -> None:
    exists = conn.execute(
        select(sku_matches.c.seller_sku).where(
            sku_matches.c.store_id == store_id, sku_matches.c.seller_sku == seller_sku
        )
    ).first()
    if exists:
        conn.execute(
            update(sku_matches)
            .where(sku_matches.c.store_id == store_id, sku_matches.c.seller_sku == seller_sku)
            .values(product_sku=product_sku, created_at=now)
        )
    else:
        conn.execute(
            insert(sku_matches),
            {"store_id": store_id, "seller_sku": seller_sku, "product_sku": product_sku, "created_at": now},
        )


def get_watermark(conn: Connection, store_id: int) -> datetime | None:
    value: datetime | None = conn.execute(
        select(sync_state.c.watermark).where(sync_state.c.store_id == store_id)
    ).scalar()
    return value


def last_run_at(conn: Connection, store_id: int) -> datetime | None:
    value: datetime | None = conn.execute(
        select(sync_state.c.last_run_at).where(sync_state.c.store_id == store_id)
    ).scalar()
    return value


def record_sync(
    conn: Connection, store_id: int, *, now: datetime, result: str, error: str | None, watermark: datetime | None
) -> None:
    values: dict[str, object] = {"last_run_at": now, "last_result": result, "last_error": error}
    if watermark is not None:
        values["watermark"] = watermark
    conn.execute(update(sync_state).where(sync_state.c.store_id == store_id).values(**values))
