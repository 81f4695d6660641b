"""The order-acknowledgement feed that cancels an order on Amazon, and its reading for the fake marketplace.

SP-API has no cancel operation for sellers: a ``POST_ORDER_ACKNOWLEDGEMENT_DATA`` feed whose acknowledgement has
``StatusCode`` Failure and a ``CancelReason`` cancels the whole order.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET


def acknowledgement_feed(seller_id: str, amazon_order_id: str, reason: str) -> str:
    envelope = ET.Element("AmazonEnvelope")
    header = ET.SubElement(envelope, "Header")
    ET.SubElement(header, "DocumentVersion").text = "1.01"
    ET.SubElement(header, "MerchantIdentifier").text = seller_id or "UNKNOWN"
    ET.SubElement(envelope, "MessageType").text = "OrderAcknowledgement"
    message = ET.SubElement(envelope, "Message")
    ET.SubElement(message, "MessageID").text = "1"
    ack = ET.SubElement(message, "OrderAcknowledgement")
    ET.SubElement(ack, "AmazonOrderID").text = amazon_order_id
    ET.SubElement(ack, "StatusCode").text = "Failure"
    item = ET.SubElement(ack, "Item")
    ET.SubElement(item, "CancelReason").text = reason
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(envelope, encoding="unicode")


def cancellations_in(document: str) -> list[tuple[str, str]]:
    """(order id, reason) for every acknowledgement that cancels; raises ValueError for a document Amazon would
    reject as unreadable."""
    try:
        root = ET.fromstring(document)
    except ET.ParseError as exc:
        raise ValueError(f"the feed document is not valid XML: {exc}") from None
    found = []
    for ack in root.iter("OrderAcknowledgement"):
        order_id = (ack.findtext("AmazonOrderID") or "").strip()
        if not order_id:
            raise ValueError("an OrderAcknowledgement has no AmazonOrderID")
        if (ack.findtext("StatusCode") or "").strip() == "Failure":
            found.append((order_id, (ack.findtext("Item/CancelReason") or "GeneralAdjustment").strip()))
    return found
