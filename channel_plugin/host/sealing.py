"""The reference host's buyer data encrypted at rest, the way the plugin keeps its own (``storage.crypto``).

Names, emails, addresses and phones are stored only as AES-GCM blobs; a customer account is found by a keyed
digest of its email (a blind index), so the one lookup the host needs works without the email in clear. Erasure
is then a matter of clearing a blob.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from channel_plugin.storage.crypto import BuyerDataCipher


class BuyerSeal:
    """Seals and opens the host's buyer-data blobs; the email index uses the newest key only (no rotation)."""

    def __init__(self, cipher: BuyerDataCipher) -> None:
        self._cipher = cipher
        self._index_key = hmac.new(cipher.blind_keys()[0], b"reference host customer email", hashlib.sha256).digest()

    def seal(self, data: Mapping[str, Any]) -> str:
        return self._cipher.encrypt(data)

    def open(self, token: str | None) -> dict[str, Any]:
        return {} if token is None else self._cipher.decrypt(token)

    def email_index(self, email: str) -> str:
        """The lookup key of a (lower-cased) email: equal emails give equal keys, and the key reveals nothing."""
        return hmac.new(self._index_key, email.encode(), hashlib.sha256).hexdigest()
