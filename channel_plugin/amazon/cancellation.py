"""The order-acknowledgement feed that cancels orders on Amazon, and the processing report Amazon answers it with.

SP-API has no cancel operation for sellers: a ``POST_ORDER_ACKNOWLEDGEMENT_DATA`` feed whose acknowledgement has
``StatusCode`` Failure and a ``CancelReason`` cancels the whole order. One feed carries many orders, one
``Message`` each; Amazon processes it later and reports, in an XML ``ProcessingReport``, a ``Result`` with
``ResultCode`` Error for every message it refused, by ``MessageID``. The fake marketplace reads and writes the same
documents, so both halves are tested against one another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET

FEED_TYPE = "POST_ORDER_ACKNOWLEDGEMENT_DATA"
CONTENT_TYPE = "text/xml; charset=UTF-8"


@dataclass(frozen=True, slots=True)
class CancelMessage:
    """One order's cancellation inside a feed; ``message_id`` is what the processing report refers to."""

    message_id: int
    amazon_order_id: str
    reason: str


def _envelope(seller_id: str, message_type: str) -> ET.Element:
    envelope = ET.Element("AmazonEnvelope")
    header = ET.SubElement(envelope, "Header")
    ET.SubElement(header, "DocumentVersion").text = "1.01"
    ET.SubElement(header, "MerchantIdentifier").text = seller_id or "UNKNOWN"
    ET.SubElement(envelope, "MessageType").text = message_type
    return envelope


def _text(envelope: ET.Element) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(envelope, encoding="unicode")


def acknowledgement_feed(seller_id: str, messages: Sequence[CancelMessage]) -> str:
    envelope = _envelope(seller_id, "OrderAcknowledgement")
    for cancel in messages:
        message = ET.SubElement(envelope, "Message")
        ET.SubElement(message, "MessageID").text = str(cancel.message_id)
        ack = ET.SubElement(message, "OrderAcknowledgement")
        ET.SubElement(ack, "AmazonOrderID").text = cancel.amazon_order_id
        ET.SubElement(ack, "StatusCode").text = "Failure"
        item = ET.SubElement(ack, "Item")
        ET.SubElement(item, "CancelReason").text = cancel.reason
    return _text(envelope)


def _parse(document: str, what: str) -> ET.Element:
    try:
        return ET.fromstring(document)
    except ET.ParseError as exc:
        raise ValueError(f"the {what} is not valid XML: {exc}") from None


def cancellations_in(document: str) -> list[CancelMessage]:
    """Every acknowledgement that cancels; raises ValueError for a document Amazon would reject as unreadable."""
    found = []
    for message in _parse(document, "feed document").iter("Message"):
        ack = message.find("OrderAcknowledgement")
        if ack is None:
            continue
        order_id = (ack.findtext("AmazonOrderID") or "").strip()
        if not order_id:
            raise ValueError("an OrderAcknowledgement has no AmazonOrderID")
        message_id = _number(message.findtext("MessageID"))
        if (ack.findtext("StatusCode") or "").strip() == "Failure":
            reason = (ack.findtext("Item/CancelReason") or "GeneralAdjustment").strip()
            found.append(CancelMessage(message_id, order_id, reason))
    return found


def processing_report(seller_id: str, processed: int, errors: Mapping[int, tuple[str, str]]) -> str:
    """Amazon's report for a processed feed: ``errors`` maps a message id to (ResultMessageCode, description)."""
    envelope = _envelope(seller_id, "ProcessingReport")
    message = ET.SubElement(envelope, "Message")
    ET.SubElement(message, "MessageID").text = "1"
    report = ET.SubElement(message, "ProcessingReport")
    ET.SubElement(report, "StatusCode").text = "Complete"
    summary = ET.SubElement(report, "ProcessingSummary")
    ET.SubElement(summary, "MessagesProcessed").text = str(processed)
    ET.SubElement(summary, "MessagesSuccessful").text = str(processed - len(errors))
    ET.SubElement(summary, "MessagesWithError").text = str(len(errors))
    ET.SubElement(summary, "MessagesWithWarning").text = "0"
    for message_id, (code, description) in sorted(errors.items()):
        result = ET.SubElement(report, "Result")
        ET.SubElement(result, "MessageID").text = str(message_id)
        ET.SubElement(result, "ResultCode").text = "Error"
        ET.SubElement(result, "ResultMessageCode").text = code
        ET.SubElement(result, "ResultDescription").text = description
    return _text(envelope)


def refusals_in(report: str) -> dict[int, str]:
    """Message id -> Amazon's reason, for every message the processing report says was refused.

    Warnings are not refusals. Raises ValueError when the document is not a processing report at all, so an
    unreadable answer is never taken for "everything accepted".
    """
    root = _parse(report, "processing report")
    body = root.find("Message/ProcessingReport")
    if body is None or body.find("ProcessingSummary") is None:
        raise ValueError("the document is not a feed processing report")
    refused: dict[int, str] = {}
    for result in body.iter("Result"):
        if (result.findtext("ResultCode") or "").strip() != "Error":
            continue
        code = (result.findtext("ResultMessageCode") or "").strip()
        description = (result.findtext("ResultDescription") or "no description").strip()
        refused[_number(result.findtext("MessageID"))] = f"{code}: {description}" if code else description
    return refused


def _number(text: str | None) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        raise ValueError(f"MessageID must be a number, got {text!r}") from None
