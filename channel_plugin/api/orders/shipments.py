"""Resending a shipment confirmation Amazon refused (or the plugin stopped retrying), corrected, as the same
package: the mutation behind the order page's "Resend to Amazon" action."""

from __future__ import annotations

import strawberry

from channel_plugin.api.blockers.types import OrderImportResult
from channel_plugin.api.context import Info
from channel_plugin.api.errors import UserError
from channel_plugin.api.orders.mutations import _errors, _order_result, _store
from channel_plugin.engine.outbound import resend_shipment
from channel_plugin.errors import ValidationError


@strawberry.type
class ResendShipmentConfirmationPayload:
    order: OrderImportResult | None
    package_reference_id: str | None = strawberry.field(
        description="The package queued again: the same packageReferenceId, so Amazon edits it rather than adding one."
    )
    errors: list[UserError]


@strawberry.type
class ShipmentsMutation:
    @strawberry.mutation(
        description="Correct a refused or unsent shipment confirmation and queue it again (sent on the next sync). "
        "carrier and trackingNumber left out keep their values; packageReferenceId may be left out when the order "
        "has one stuck confirmation (see AmazonOrder.problems). Once Amazon accepts it, the order completes on "
        "the following sync."
    )
    def resend_shipment_confirmation(
        self,
        info: Info,
        store_id: strawberry.ID,
        amazon_order_id: str,
        package_reference_id: str | None = None,
        carrier: str | None = None,
        tracking_number: str | None = None,
    ) -> ResendShipmentConfirmationPayload:
        rt = info.context.runtime
        try:
            store = _store(rt, store_id)
            reference = resend_shipment(rt, store.id, amazon_order_id, package_reference_id, carrier, tracking_number)
        except ValidationError as exc:
            return ResendShipmentConfirmationPayload(order=None, package_reference_id=None, errors=_errors(exc))
        return ResendShipmentConfirmationPayload(
            order=_order_result(rt, store.id, amazon_order_id), package_reference_id=reference, errors=[]
        )
