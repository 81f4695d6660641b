"""Reading requests the way both halves of the fake SP-API server need: Amazon's paths and the admin paths."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request


async def json_body(request: Request) -> Any:
    """The decoded body, or None when it is not JSON (each caller answers that with its own error)."""
    try:
        return json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def timestamp(text: str, name: str) -> datetime:
    """Amazon's ISO 8601 timestamps (UTC when no offset is given); anything else is the caller's bad input."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise ValueError(f"{name} must be an ISO 8601 date-time, got {text!r}") from None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
