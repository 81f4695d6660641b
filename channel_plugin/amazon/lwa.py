"""Login with Amazon: the refresh-token grant that turns a store's stored credentials into an access token.

The access token is cached until shortly before ``expires_in`` runs out, so a sync of many pages costs one grant;
an "expired" 403 from SP-API drops it so the next call asks again. No credential ever reaches a log or an error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from channel_plugin.amazon.timing import Timer
from channel_plugin.errors import ValidationError

LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
REFRESH_MARGIN_SECONDS = 60.0


class LwaError(Exception):
    """Login with Amazon refused the store's credentials: retrying cannot help until someone fixes them."""


@dataclass(frozen=True)
class LwaCredentials:
    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> LwaCredentials:
        values = {}
        for key in ("client_id", "client_secret", "refresh_token"):
            value = data.get(key)
            if not isinstance(value, str) or not value.strip():
                raise ValidationError(f"credentials.{key}", "is required")
            values[key] = value.strip()
        return cls(**values)

    def as_dict(self) -> dict[str, str]:
        return {"client_id": self.client_id, "client_secret": self.client_secret, "refresh_token": self.refresh_token}


class AccessTokens:
    """One store's current access token, refreshed when it is about to run out or Amazon says it has."""

    def __init__(self, credentials: LwaCredentials, timer: Timer, token_url: str = LWA_TOKEN_URL) -> None:
        self._credentials = credentials
        self._timer = timer
        self._token_url = token_url
        self._token: str | None = None
        self._expires_at = 0.0
        self.grants = 0

    async def get(self, http: httpx.AsyncClient) -> str:
        if self._token is None or self._timer.monotonic() >= self._expires_at - REFRESH_MARGIN_SECONDS:
            await self._refresh(http)
        assert self._token is not None
        return self._token

    def invalidate(self) -> None:
        self._token = None

    async def _refresh(self, http: httpx.AsyncClient) -> None:
        form = {"grant_type": "refresh_token", **self._credentials.as_dict()}
        try:
            response = await http.post(self._token_url, data=form, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise ConnectionError(f"Login with Amazon is unreachable ({type(exc).__name__})") from None
        if response.status_code >= 500 or response.status_code == 429:
            raise ConnectionError(f"Login with Amazon answered {response.status_code}")
        body = _json(response)
        if response.status_code != 200:
            code = body.get("error") or response.status_code
            description = body.get("error_description") or "no description"
            raise LwaError(f"Login with Amazon refused the store's credentials ({code}: {description})")
        token, expires_in = body.get("access_token"), body.get("expires_in", 3600)
        if not isinstance(token, str) or not token or not isinstance(expires_in, int | float):
            raise LwaError("Login with Amazon answered without a usable access token")
        self.grants += 1
        self._token = token
        self._expires_at = self._timer.monotonic() + float(expires_in)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}
