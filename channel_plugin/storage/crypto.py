"""Buyer data encrypted at rest: AES-256-GCM over one JSON blob per order.

One blob per order (not one per column) keeps the import fast (one cipher call per order) and makes erasure a
single column update. Each ciphertext names its key id, so keys can be rotated: new writes use the first key,
reads accept any configured key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from channel_plugin.errors import ValidationError

_NONCE = 12


def generate_key() -> str:
    """A new random key in the form the configuration takes (url-safe base64 of 32 bytes)."""
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()


def _decode_key(index: int, text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode())
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != 32:
        raise ValidationError(
            "encryption_key", f"key #{index + 1} must be url-safe base64 of 32 bytes (see `channel-plugin keygen`)"
        )
    return raw


class BuyerDataCipher:
    """Encrypts and decrypts the buyer-data blob; the first key encrypts, every key decrypts."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValidationError("encryption_key", "at least one encryption key is required")
        raw = [_decode_key(i, k) for i, k in enumerate(keys)]
        # A key's id is a digest of it, never key material, so the ciphertext reveals nothing about the key.
        self._by_id = {hashlib.sha256(key).hexdigest()[:8]: AESGCM(key) for key in raw}
        self._primary_id = hashlib.sha256(raw[0]).hexdigest()[:8]
        self._primary = self._by_id[self._primary_id]
        self._blind = [hmac.new(key, b"channel-plugin buyer-name search", hashlib.sha256).digest() for key in raw]

    @classmethod
    def from_config(cls, value: str) -> BuyerDataCipher:
        """``value`` is a comma-separated list of keys, newest first."""
        return cls([k for k in value.split(",") if k.strip()])

    def blind_keys(self) -> list[bytes]:
        """Keys for the keyed search tokens of buyer names, derived from each encryption key (newest first).

        Derived, not reused: a search token must never help anyone decrypt, and vice versa.
        """
        return self._blind

    def encrypt(self, data: Mapping[str, Any]) -> str:
        nonce = os.urandom(_NONCE)
        plain = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
        sealed = self._primary.encrypt(nonce, plain, None)
        return f"{self._primary_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str) -> dict[str, Any]:
        key_id, _, body = token.partition(":")
        aead = self._by_id.get(key_id)
        if aead is None:
            raise ValidationError("encryption_key", "buyer data was encrypted with a key that is not configured")
        try:
            raw = base64.urlsafe_b64decode(body.encode())
            plain = aead.decrypt(raw[:_NONCE], raw[_NONCE:], None)
        except (InvalidTag, ValueError):
            raise ValidationError("encryption_key", "buyer data is corrupted or failed its integrity check") from None
        result: dict[str, Any] = json.loads(plain)
        return result
