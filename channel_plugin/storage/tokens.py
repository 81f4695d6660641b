"""API bearer tokens: only a SHA-256 of each token is stored, so a leaked database leaks no usable token."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, insert, select, update

from channel_plugin.errors import ValidationError
from channel_plugin.storage.tables import api_tokens

PREFIX = "cpt_"


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: int
    scope: Scope
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(conn: Connection, scope: str, now: datetime, label: str | None = None) -> tuple[str, TokenRecord]:
    """A new token (shown once, never stored) and its record."""
    try:
        parsed = Scope(scope)
    except ValueError:
        raise ValidationError("scope", f"must be read or write, got {scope!r}") from None
    token = PREFIX + secrets.token_urlsafe(32)
    token_id = conn.execute(
        insert(api_tokens).returning(api_tokens.c.id),
        {"token_hash": _digest(token), "scope": parsed.value, "label": label, "created_at": now},
    ).scalar_one()
    return token, TokenRecord(token_id, parsed, label, now, None)


def verify_token(conn: Connection, token: str) -> Scope | None:
    """The token's scope, or None for an unknown, malformed or revoked token."""
    if not token.startswith(PREFIX) or len(token) > 128:
        return None
    row = conn.execute(
        select(api_tokens.c.scope).where(api_tokens.c.token_hash == _digest(token), api_tokens.c.revoked_at.is_(None))
    ).first()
    return Scope(row.scope) if row else None


def revoke_token(conn: Connection, token_id: int, now: datetime) -> bool:
    done = conn.execute(
        update(api_tokens).where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None)).values(revoked_at=now)
    )
    return bool(done.rowcount)
