"""The order-acknowledgement feed and Amazon's processing report, read and written as Amazon's documents."""

from __future__ import annotations

import pytest

from channel_plugin.amazon.cancellation import (
    CancelMessage,
    acknowledgement_feed,
    cancellations_in,
    processing_report,
    refusals_in,
)

REPORT = """<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header><DocumentVersion>1.02</DocumentVersion><MerchantIdentifier>A2SELLER</MerchantIdentifier></Header>
  <MessageType>ProcessingReport</MessageType>
  <Message>
    <MessageID>1</MessageID>
    <ProcessingReport>
      <DocumentTransactionID>507268018841</DocumentTransactionID>
      <StatusCode>Complete</StatusCode>
      <ProcessingSummary>
        <MessagesProcessed>3</MessagesProcessed><MessagesSuccessful>1</MessagesSuccessful>
        <MessagesWithError>1</MessagesWithError><MessagesWithWarning>1</MessagesWithWarning>
      </ProcessingSummary>
      <Result>
        <MessageID>12</MessageID><ResultCode>Warning</ResultCode><ResultMessageCode>5000</ResultMessageCode>
        <ResultDescription>The reason code was replaced.</ResultDescription>
      </Result>
      <Result>
        <MessageID>13</MessageID><ResultCode>Error</ResultCode><ResultMessageCode>18028</ResultMessageCode>
        <ResultDescription>The order cannot be canceled.</ResultDescription>
      </Result>
    </ProcessingReport>
  </Message>
</AmazonEnvelope>"""


def test_a_feed_holds_one_message_per_order_and_reads_back_the_same():
    messages = [CancelMessage(11, "111-0000001-0000001", "NoInventory"), CancelMessage(12, "111-2", "BuyerCanceled")]
    assert cancellations_in(acknowledgement_feed("A2SELLER", messages)) == messages


def test_only_errors_in_amazons_report_are_refusals():
    assert refusals_in(REPORT) == {13: "18028: The order cannot be canceled."}


def test_the_fakes_report_reads_like_amazons():
    report = processing_report("A2SELLER", 3, {2: ("18028", "Not cancelable.")})
    assert refusals_in(report) == {2: "18028: Not cancelable."}
    assert refusals_in(processing_report("A2SELLER", 3, {})) == {}


@pytest.mark.parametrize(
    "document",
    [
        "not xml",
        "<AmazonEnvelope><MessageType>OrderAcknowledgement</MessageType></AmazonEnvelope>",
        REPORT.replace("<MessageID>13</MessageID>", "<MessageID>x</MessageID>"),
    ],
)
def test_a_document_that_is_not_a_readable_report_raises(document):
    with pytest.raises(ValueError):
        refusals_in(document)
