"""Per-store order settings: their defaults and the validation an admin's change must pass.

Validation returns a new settings value or raises ``ValidationError`` naming the field, so the same rules serve
``updateOrderSettings``, the Sandbox, the CLI and ``plugin.toml`` defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

from channel_plugin.domain.enums import CustomerCreation, OrderNumberSource, OrderStatusMode, ReserveQuantity
from channel_plugin.domain.model import OrderStatusOption, StoreView
from channel_plugin.errors import ValidationError

FORBIDDEN_PROCESSING_STATES = frozenset({"complete", "canceled", "closed"})


@dataclass(frozen=True, slots=True)
class OrderSettings:
    import_enabled: bool = True
    import_store_view: str | None = None
    customer_creation: CustomerCreation = CustomerCreation.GUEST
    order_number_source: OrderNumberSource = OrderNumberSource.COMMERCE
    reserve_quantity: ReserveQuantity = ReserveQuantity.RESERVE
    order_status: OrderStatusMode = OrderStatusMode.DEFAULT
    processing_order_status: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.value if isinstance(v, StrEnum) else v) for k, v in asdict(self).items()}


_ENUM_FIELDS: dict[str, type[StrEnum]] = {
    "customer_creation": CustomerCreation,
    "order_number_source": OrderNumberSource,
    "reserve_quantity": ReserveQuantity,
    "order_status": OrderStatusMode,
}
FIELDS = frozenset(OrderSettings.__dataclass_fields__)


def coerce_settings(changes: Mapping[str, Any], base: OrderSettings | None = None) -> OrderSettings:
    """Apply ``changes`` to ``base`` checking only types and enum values (no host needed).

    Used for ``plugin.toml`` defaults and as the first step of ``validate_settings``.
    """
    values: dict[str, Any] = {}
    for name, raw in changes.items():
        if name not in FIELDS:
            known = ", ".join(sorted(FIELDS))
            raise ValidationError(name, f"unknown setting {name!r} (known settings: {known})", "UNKNOWN_FIELD")
        values[name] = _coerce(name, raw)
    return replace(base or OrderSettings(), **values)


def _coerce(name: str, raw: Any) -> Any:
    if name == "import_enabled":
        if not isinstance(raw, bool):
            raise ValidationError(name, f"must be true or false, got {raw!r}")
        return raw
    if name in _ENUM_FIELDS:
        enum = _ENUM_FIELDS[name]
        value = raw.name if isinstance(raw, StrEnum) else raw
        if not isinstance(value, str) or value.upper() not in enum.__members__:
            allowed = ", ".join(enum.__members__)
            raise ValidationError(name, f"must be one of {allowed}, got {raw!r}")
        return enum[value.upper()]
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationError(name, f"must be a non-empty string or null, got {raw!r}")
    return raw.strip()


def validate_settings(
    current: OrderSettings,
    changes: Mapping[str, Any],
    *,
    statuses: Sequence[OrderStatusOption],
    store_views: Sequence[StoreView],
) -> OrderSettings:
    """The admin's change, checked against the host's statuses and store views.

    While import is disabled every other setting is inert: its value is kept but not checked against the host,
    because the host may legitimately lack it until the merchant turns import back on (it is checked then).
    """
    new = coerce_settings(changes, current)
    if not new.import_enabled:
        return new
    if new.import_store_view is not None and new.import_store_view not in {v.code for v in store_views}:
        raise ValidationError(
            "import_store_view", f"store view {new.import_store_view!r} does not exist in the host", "NOT_FOUND"
        )
    if new.order_status is OrderStatusMode.CUSTOM:
        code = new.processing_order_status
        if code is None:
            raise ValidationError("processing_order_status", "is required when order_status is CUSTOM", "REQUIRED")
        by_code = {s.code: s for s in statuses}
        if code not in by_code:
            raise ValidationError("processing_order_status", f"status {code!r} does not exist in the host", "NOT_FOUND")
        if code in FORBIDDEN_PROCESSING_STATES or by_code[code].state in FORBIDDEN_PROCESSING_STATES:
            raise ValidationError(
                "processing_order_status",
                f"status {code!r} belongs to the {by_code[code].state!r} state; "
                "imported orders cannot start complete, canceled or closed",
                "NOT_ALLOWED",
            )
    return new


def effective_store_view(settings: OrderSettings, store_views: Sequence[StoreView], website: str) -> str:
    """The configured store view if the host still has it, else the website's default one."""
    codes = {v.code for v in store_views}
    if settings.import_store_view and settings.import_store_view in codes:
        return settings.import_store_view
    for view in store_views:
        if view.website == website and view.is_default:
            return view.code
    for view in store_views:
        if view.website == website:
            return view.code
    if store_views:
        return store_views[0].code
    raise ValidationError("import_store_view", f"the host has no store view for website {website!r}", "NOT_FOUND")
