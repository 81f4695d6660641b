"""Buyer data encrypted at rest, and money stored exactly (ExactMoney, trim_amount)."""

from __future__ import annotations

import base64
import os
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select
from sqlalchemy.dialects.sqlite.base import SQLiteDialect

from channel_plugin.errors import ValidationError
from channel_plugin.storage.crypto import BuyerDataCipher, generate_key
from channel_plugin.storage.types import ExactMoney, trim_amount

BUYER: dict[str, Any] = {
    "name": "Jane Doe",
    "email": "jane.doe@marketplace.amazon.com",
    "address": {"line1": "2201 Westlake Ave", "city": "Seattle", "postal_code": "98121"},
    "phone": "+1 206-555-0100",
    "note": "Müller, 東京",
}


# ----------------------------------------------------------------------------------------------------
# BuyerDataCipher
# ----------------------------------------------------------------------------------------------------


def test_round_trip() -> None:
    cipher = BuyerDataCipher([generate_key()])
    assert cipher.decrypt(cipher.encrypt(BUYER)) == BUYER


def test_ciphertext_does_not_contain_the_plaintext() -> None:
    cipher = BuyerDataCipher([generate_key()])
    token = cipher.encrypt(BUYER)
    for secret in ("Jane", "jane.doe", "marketplace.amazon.com", "Westlake", "555-0100", "Seattle"):
        assert secret not in token
    encoded_name = base64.urlsafe_b64encode(b"Jane Doe").decode().rstrip("=")
    assert encoded_name not in token


def test_each_encryption_is_different() -> None:
    cipher = BuyerDataCipher([generate_key()])
    first, second = cipher.encrypt(BUYER), cipher.encrypt(BUYER)
    assert first != second
    assert cipher.decrypt(first) == cipher.decrypt(second) == BUYER


def test_key_rotation_reads_old_data_and_writes_with_the_new_key() -> None:
    old, new = generate_key(), generate_key()
    written_before = BuyerDataCipher([old]).encrypt(BUYER)

    rotated = BuyerDataCipher([new, old])
    assert rotated.decrypt(written_before) == BUYER

    written_after = rotated.encrypt(BUYER)
    assert BuyerDataCipher([new]).decrypt(written_after) == BUYER
    with pytest.raises(ValidationError):
        BuyerDataCipher([old]).decrypt(written_after)


def test_from_config_takes_comma_separated_keys_newest_first() -> None:
    old, new = generate_key(), generate_key()
    written_before = BuyerDataCipher([old]).encrypt(BUYER)
    rotated = BuyerDataCipher.from_config(f" {new} , {old} ,")
    assert rotated.decrypt(written_before) == BUYER
    assert BuyerDataCipher([new]).decrypt(rotated.encrypt(BUYER)) == BUYER


def test_wrong_key_fails_with_validation_error() -> None:
    token = BuyerDataCipher([generate_key()]).encrypt(BUYER)
    with pytest.raises(ValidationError) as caught:
        BuyerDataCipher([generate_key()]).decrypt(token)
    assert caught.value.field == "encryption_key"
    assert "not configured" in caught.value.message


def test_wrong_key_with_the_same_key_id_fails_its_integrity_check() -> None:
    # A token sealed with another key but labelled with the configured key's id must still be refused.
    right = BuyerDataCipher([generate_key()])
    right_id = right.encrypt(BUYER).partition(":")[0]
    forged = right_id + ":" + BuyerDataCipher([generate_key()]).encrypt(BUYER).partition(":")[2]
    with pytest.raises(ValidationError) as caught:
        right.decrypt(forged)
    assert caught.value.field == "encryption_key"
    assert "integrity" in caught.value.message


def test_tampered_ciphertext_fails_its_integrity_check() -> None:
    cipher = BuyerDataCipher([generate_key()])
    key_id, _, body = cipher.encrypt(BUYER).partition(":")
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[-1] ^= 0x01
    tampered = f"{key_id}:{base64.urlsafe_b64encode(bytes(raw)).decode()}"
    with pytest.raises(ValidationError, match="integrity"):
        cipher.decrypt(tampered)


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda body: body[:8], id="truncated"),
        pytest.param(lambda body: "", id="empty-body"),
        pytest.param(lambda body: body[:-3], id="bad-padding"),
    ],
)
def test_mangled_token_fails_with_validation_error(mangle: Any) -> None:
    cipher = BuyerDataCipher([generate_key()])
    key_id, _, body = cipher.encrypt(BUYER).partition(":")
    with pytest.raises(ValidationError):
        cipher.decrypt(f"{key_id}:{mangle(body)}")


@pytest.mark.parametrize(
    ("keys", "words"),
    [
        pytest.param([], "at least one", id="no-keys"),
        pytest.param(["short"], "32 bytes", id="too-short"),
        pytest.param([base64.urlsafe_b64encode(os.urandom(16)).decode()], "32 bytes", id="aes-128-key"),
        pytest.param([base64.urlsafe_b64encode(os.urandom(33)).decode()], "32 bytes", id="33-bytes"),
        pytest.param(["!!!not base64!!!"], "32 bytes", id="not-base64"),
        pytest.param([""], "32 bytes", id="empty-string"),
    ],
)
def test_bad_key_material_rejected_with_a_message(keys: list[str], words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        BuyerDataCipher(keys)
    assert caught.value.field == "encryption_key"
    assert words in caught.value.message


def test_bad_second_key_is_named() -> None:
    with pytest.raises(ValidationError) as caught:
        BuyerDataCipher([generate_key(), "nope"])
    assert "key #2" in caught.value.message


def test_empty_config_refused() -> None:
    with pytest.raises(ValidationError, match="at least one"):
        BuyerDataCipher.from_config(" , ")


def test_generated_keys_are_fresh_32_byte_keys() -> None:
    first, second = generate_key(), generate_key()
    assert first != second
    assert len(base64.urlsafe_b64decode(first)) == 32


# ----------------------------------------------------------------------------------------------------
# ExactMoney and trim_amount
# ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "stored"),
    [
        pytest.param(Decimal("19.99"), 199900, id="19.99"),
        pytest.param(Decimal("0.0001"), 1, id="0.0001"),
        pytest.param(Decimal("19940"), 199400000, id="19940"),
        pytest.param(Decimal("0"), 0, id="zero"),
        pytest.param(Decimal("123456789.1234"), 1234567891234, id="large"),
    ],
)
def test_exact_money_bind_and_result_are_exact(amount: Decimal, stored: int) -> None:
    column, dialect = ExactMoney(), SQLiteDialect()
    bound = column.process_bind_param(amount, dialect)
    assert bound == stored
    assert type(bound) is int
    back = column.process_result_value(bound, dialect)
    assert type(back) is Decimal
    assert back == amount


def test_exact_money_keeps_none() -> None:
    column = ExactMoney()
    assert column.process_bind_param(None, SQLiteDialect()) is None
    assert column.process_result_value(None, SQLiteDialect()) is None


@pytest.mark.parametrize("amount", [Decimal("0.00001"), Decimal("19.99999"), Decimal("1.00005")])
def test_exact_money_refuses_five_decimal_places(amount: Decimal) -> None:
    with pytest.raises(ValueError, match="more than 4 decimal places"):
        ExactMoney().process_bind_param(amount, SQLiteDialect())


def test_exact_money_round_trips_through_sqlite() -> None:
    metadata = MetaData()
    table = Table("money", metadata, Column("id", Integer, primary_key=True), Column("amount", ExactMoney()))
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    amounts = [Decimal("19.99"), Decimal("0.0001"), Decimal("19940"), Decimal("1599.90")]
    with engine.begin() as conn:
        conn.execute(insert(table), [{"id": i, "amount": a} for i, a in enumerate(amounts)])
        back = [row.amount for row in conn.execute(select(table).order_by(table.c.id))]
        assert conn.execute(select(table.c.id).where(table.c.amount > Decimal("19.99"))).scalars().all() == [
            2,
            3,
        ]
    engine.dispose()
    assert back == amounts
    assert [str(a) for a in back] == ["19.99", "0.0001", "19940.00", "1599.90"]
    assert all(type(a) is Decimal for a in back)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        pytest.param(Decimal("19.9"), "19.90", id="one-place-padded"),
        pytest.param(Decimal("19.99"), "19.99", id="cents"),
        pytest.param(Decimal("19940"), "19940.00", id="whole-yen"),
        pytest.param(Decimal("19.9900"), "19.99", id="trailing-zeros-trimmed-to-cents"),
        pytest.param(Decimal("0.1234"), "0.1234", id="four-places-kept"),
        pytest.param(Decimal("0.0001"), "0.0001", id="smallest"),
        pytest.param(Decimal("1.2340"), "1.234", id="three-places"),
        pytest.param(Decimal("100.5000"), "100.50", id="hundreds"),
        pytest.param(Decimal("0"), "0.00", id="zero"),
    ],
)
def test_trim_amount(amount: Decimal, text: str) -> None:
    trimmed = trim_amount(amount)
    assert str(trimmed) == text
    assert trimmed == amount
