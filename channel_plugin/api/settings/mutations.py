"""``updateOrderSettings``: every rule of the domain, failures as ``errors`` naming the field."""

from __future__ import annotations

import strawberry

from channel_plugin.api.context import Info
from channel_plugin.api.errors import UserError, UserErrorCode, user_errors
from channel_plugin.api.settings.types import OrderSettings, OrderSettingsInput, UpdateOrderSettingsPayload
from channel_plugin.api.stores.queries import parse_store_id
from channel_plugin.engine import admin
from channel_plugin.errors import ValidationError


@strawberry.type
class SettingsMutation:
    @strawberry.mutation(description="Change a store's order settings; nothing is saved when any field is wrong.")
    def update_order_settings(
        self, info: Info, store_id: strawberry.ID, input: OrderSettingsInput
    ) -> UpdateOrderSettingsPayload:
        pk = parse_store_id(store_id)
        if pk is None:
            return UpdateOrderSettingsPayload(
                settings=None,
                errors=[UserError(field="storeId", code=UserErrorCode.NOT_FOUND, message=f"No store {store_id!r}.")],
            )
        changes = {k: v for k, v in vars(input).items() if v is not strawberry.UNSET}
        for name in ("import_enabled", "customer_creation", "order_number_source", "reserve_quantity", "order_status"):
            if name in changes and changes[name] is None:
                err = ValidationError(name, "cannot be null", "REQUIRED")
                return UpdateOrderSettingsPayload(settings=None, errors=user_errors(err, prefix="input"))
        try:
            saved = admin.update_settings(info.context.runtime, pk, changes)
        except ValidationError as exc:
            prefix = None if exc.field == "store_id" else "input"
            return UpdateOrderSettingsPayload(settings=None, errors=user_errors(exc, prefix=prefix))
        return UpdateOrderSettingsPayload(settings=OrderSettings.of(saved), errors=[])
