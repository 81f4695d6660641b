"""A confirmShipment Amazon refuses (or that never gets through) keeps the order open, shows everywhere an admin or
integrator looks, and can be corrected and resent as the same package."""

from __future__ import annotations

from channel_plugin import hookimpl
from channel_plugin.engine.outbound import MAX_ATTEMPTS
from channel_plugin.testing import make_order
from channel_plugin.types import AmazonCall, AmazonOrder, OrderProblemCode

PROBLEMS = """
query($storeId: ID!, $id: String!) {
  amazonOrder(storeId: $storeId, amazonOrderId: $id) {
    status
    problems { code message packageReferenceId attempts }
    commerceOrder { status }
  }
}
"""
WITH_PROBLEMS = """
query($storeId: ID!, $codes: [OrderProblemCode!]) {
  amazonOrders(storeId: $storeId, filter: {problems: $codes}) { totalCount edges { node { amazonOrderId } } }
}
"""
RESEND = """
mutation($storeId: ID!, $id: String!, $ref: String, $carrier: String, $tracking: String) {
  resendShipmentConfirmation(storeId: $storeId, amazonOrderId: $id, packageReferenceId: $ref, carrier: $carrier,
                             trackingNumber: $tracking) {
    packageReferenceId
    order { amazonOrderId status }
    errors { field code message }
  }
}
"""


class Refusals:
    def __init__(self) -> None:
        self.seen: list[tuple[str, AmazonCall, str]] = []

    @hookimpl
    def channel_amazon_call_refused(self, order: AmazonOrder, call: AmazonCall, message: str) -> None:
        self.seen.append((order.amazon_order_id, call, message))


def shipped(sb, count=1, tracking="1Z-TYPO"):
    """``count`` imported orders, shipped with one tracking number each; their confirmations are queued."""
    orders = [make_order(items=[("MUG", 1)]) for _ in range(count)]
    for order in orders:
        sb.amazon.put_order(order)
    sb.sync()
    found = []
    for order in orders:
        view = sb.order(order["orderId"])
        assert view.import_state == "IMPORTED", view.notes
        sb.host.ship(view.commerce_order_id, "UPS", tracking)
        found.append((order["orderId"], view.commerce_order_id))
    return found[0] if count == 1 else found


def data(sb, query, **variables):
    answer = sb.graphql(query, {"storeId": str(sb.store.id), **variables})
    assert "errors" not in answer, answer["errors"]
    return answer["data"]


def problems(sb, amazon_id):
    return data(sb, PROBLEMS, id=amazon_id)["amazonOrder"]


def with_problems(sb, codes):
    found = data(sb, WITH_PROBLEMS, codes=codes)["amazonOrders"]
    return sorted(e["node"]["amazonOrderId"] for e in found["edges"])


def resend(sb, amazon_id, **kwargs):
    return data(sb, RESEND, id=amazon_id, **kwargs)["resendShipmentConfirmation"]


def test_a_refused_confirmation_never_completes_and_a_corrected_resend_does(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    hook = Refusals()
    sb.pm.register(hook)
    (refused_id, commerce_id), (fine_id, _) = shipped(sb, 2)
    sb.amazon_server.faults.fail_next(400, operation="confirmShipment")
    sb.sync()

    assert [c[0] for c in sb.amazon.confirmations] == [fine_id]
    assert sb.order(fine_id).status == "COMPLETED"
    view = sb.order(refused_id)
    assert view.status == "SHIPPED"
    assert sb.host.order(commerce_id).state == "processing"
    assert view.history[-1].kind == "AMAZON_REFUSED" and "request is invalid" in view.notes
    node = problems(sb, refused_id)
    [problem] = node["problems"]
    assert problem["code"] == "SHIPMENT_REJECTED" and "request is invalid" in problem["message"]
    assert node["commerceOrder"]["status"] == "processing"
    assert with_problems(sb, ["SHIPMENT_REJECTED"]) == [refused_id]
    assert with_problems(sb, ["SHIPMENT_NOT_SENT"]) == []
    [(hook_id, call, message)] = hook.seen
    assert (hook_id, call.operation) == (refused_id, "confirmShipment")
    assert call.problem is OrderProblemCode.SHIPMENT_REJECTED
    assert call.reference == problem["packageReferenceId"] == call.payload["packageReferenceId"]
    assert "request is invalid" in message
    assert any("has not accepted 1 shipment confirmation" in m for m in sb.system_messages())

    sb.sync()  # a refusal is not retried by itself
    assert sb.amazon_server.calls["confirmShipment"] == 2
    assert sb.order(refused_id).status == "SHIPPED"

    answer = resend(sb, refused_id, tracking="1Z999AA10123456784")
    assert answer["errors"] == []
    assert answer["packageReferenceId"] == call.reference
    sb.sync()
    [(_, package)] = [c for c in sb.amazon.confirmations if c[0] == refused_id]
    assert package["packageReferenceId"] == call.reference
    assert package["trackingNumber"] == "1Z999AA10123456784"
    assert sb.order(refused_id).status == "COMPLETED"
    assert sb.host.order(commerce_id).state == "complete"
    assert problems(sb, refused_id)["problems"] == []
    assert with_problems(sb, ["SHIPMENT_REJECTED"]) == []
    assert not any("shipment confirmation" in m for m in sb.system_messages())
    assert len(hook.seen) == 1


def test_transient_failures_stop_after_max_attempts_visibly_and_can_be_resent(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    hook = Refusals()
    sb.pm.register(hook)
    amazon_id, commerce_id = shipped(sb, tracking="1Z1")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        sb.amazon_server.faults.fail_next(503, operation="confirmShipment", times=8)
        [result] = sb.sync()
        assert result.confirmations_failed == 1, attempt
        if attempt < MAX_ATTEMPTS:
            assert problems(sb, amazon_id)["problems"] == []
        sb.clock.advance(3600)  # past the longest backoff
    [problem] = problems(sb, amazon_id)["problems"]
    assert (problem["code"], problem["attempts"]) == ("SHIPMENT_NOT_SENT", MAX_ATTEMPTS)
    assert sb.order(amazon_id).history[-1].kind == "AMAZON_GAVE_UP"
    [(_, call, _)] = hook.seen
    assert call.problem is OrderProblemCode.SHIPMENT_NOT_SENT
    calls = sb.amazon_server.calls["confirmShipment"]
    sb.sync()
    assert sb.amazon_server.calls["confirmShipment"] == calls  # stopped for good
    assert sb.host.order(commerce_id).state == "processing"

    assert resend(sb, amazon_id)["errors"] == []  # nothing to correct: Amazon was only unreachable
    sb.sync()
    assert sb.order(amazon_id).status == "COMPLETED"


def test_resend_refuses_what_it_cannot_do(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    amazon_id, _ = shipped(sb)
    sb.sync()  # accepted: nothing is stuck
    assert resend(sb, "000-0000000-0000000")["errors"][0]["code"] == "NOT_FOUND"
    [error] = resend(sb, amazon_id, tracking="X")["errors"]
    assert (error["field"], error["code"]) == ("amazonOrderId", "NOT_FOUND")
    [error] = resend(sb, amazon_id, carrier="  ")["errors"]
    assert (error["field"], error["code"]) == ("carrier", "REQUIRED")
