"""Order settings as GraphQL types; the enums are the domain's own, so names cannot drift."""

from __future__ import annotations

import strawberry

from channel_plugin.api.errors import UserError
from channel_plugin.domain import enums
from channel_plugin.domain.settings import OrderSettings as DomainSettings

CustomerCreation = strawberry.enum(enums.CustomerCreation)
OrderNumberSource = strawberry.enum(enums.OrderNumberSource)
ReserveQuantity = strawberry.enum(enums.ReserveQuantity)
OrderStatusMode = strawberry.enum(enums.OrderStatusMode)


@strawberry.type(description="How a store's Amazon orders become Commerce orders (DESIGN.md section 3).")
class OrderSettings:
    import_enabled: bool
    import_store_view: str | None
    customer_creation: CustomerCreation  # type: ignore[valid-type]
    order_number_source: OrderNumberSource  # type: ignore[valid-type]
    reserve_quantity: ReserveQuantity  # type: ignore[valid-type]
    order_status: OrderStatusMode  # type: ignore[valid-type]
    processing_order_status: str | None

    @classmethod
    def of(cls, settings: DomainSettings) -> OrderSettings:
        return cls(
            import_enabled=settings.import_enabled,
            import_store_view=settings.import_store_view,
            customer_creation=settings.customer_creation,
            order_number_source=settings.order_number_source,
            reserve_quantity=settings.reserve_quantity,
            order_status=settings.order_status,
            processing_order_status=settings.processing_order_status,
        )


@strawberry.input(description="Only the fields given change; the rest keep their values.")
class OrderSettingsInput:
    import_enabled: bool | None = strawberry.UNSET
    import_store_view: str | None = strawberry.UNSET
    customer_creation: CustomerCreation | None = strawberry.UNSET  # type: ignore[valid-type]
    order_number_source: OrderNumberSource | None = strawberry.UNSET  # type: ignore[valid-type]
    reserve_quantity: ReserveQuantity | None = strawberry.UNSET  # type: ignore[valid-type]
    order_status: OrderStatusMode | None = strawberry.UNSET  # type: ignore[valid-type]
    processing_order_status: str | None = strawberry.UNSET


@strawberry.type
class UpdateOrderSettingsPayload:
    settings: OrderSettings | None
    errors: list[UserError]


@strawberry.type(description="A host order status, with the state it belongs to.")
class OrderStatus:
    code: str
    label: str
    state: str


@strawberry.type(description="A host store view, the choices for importStoreView.")
class StoreView:
    code: str
    name: str
    website: str
    is_default: bool = strawberry.field(description="The website's default view (used when the setting is empty).")
