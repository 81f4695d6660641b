"""Case-insensitive substring search over encrypted buyer names, without decrypting every order.

Each order stores keyed tokens (a truncated HMAC) of its buyer name's trigrams in ``buyer_name_tokens``. A query's
trigrams become the same tokens, so SQL narrows the candidates to orders holding every one of them; the exact
check then decrypts only those candidates. The tokens reveal neither the name nor the key: without the key a
token cannot be linked to a trigram.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, literal_column, or_, select
from sqlalchemy import text as text_clause

from channel_plugin.domain.model import Address, Buyer
from channel_plugin.storage.crypto import BuyerDataCipher
from channel_plugin.storage.tables import amazon_orders

GRAM = 3
FTS = "amazon_orders_buyer_fts"


def buyer_display_name(buyer: Buyer, address: Address | None) -> str | None:
    """The name an admin knows the order by: the buyer's, else the recipient's (FBA orders may have neither)."""
    return buyer.name or (address.name if address else None)


def _grams(text: str) -> set[str]:
    folded = " ".join(text.casefold().split())
    return {folded[i : i + GRAM] for i in range(len(folded) - GRAM + 1)}


def _token(key: bytes, gram: str) -> str:
    return hmac.new(key, gram.encode(), hashlib.sha256).hexdigest()[:16]


def name_tokens(cipher: BuyerDataCipher, name: str | None) -> str | None:
    """The column value for a name: its trigram tokens under the newest key, space-separated."""
    if not name:
        return None
    key = cipher.blind_keys()[0]
    return " ".join(sorted(_token(key, g) for g in _grams(name))) or None


def candidate_condition(cipher: BuyerDataCipher, text: str, dialect: str = "sqlite") -> ColumnElement[bool] | None:
    """Orders whose name may contain ``text`` (every trigram present under some key); None when ``text`` is too
    short to have a trigram, and every order is a candidate.

    Served by an index on both dialects (migration 0005): FTS5 on SQLite, a pg_trgm GIN index on PostgreSQL.
    """
    grams = sorted(_grams(text))
    if not grams:
        return None
    per_key = [[_token(key, g) for g in grams] for key in cipher.blind_keys()]
    if dialect == "sqlite":
        match = " OR ".join("(" + " AND ".join(f'"{t}"' for t in tokens) + ")" for tokens in per_key)
        return amazon_orders.c.id.in_(
            select(literal_column("rowid"))
            .select_from(text_clause(FTS))
            .where(text_clause(f"{FTS} MATCH :buyer_match").bindparams(buyer_match=match))
        )
    return or_(
        *(and_(*(amazon_orders.c.buyer_name_tokens.contains(t, autoescape=True) for t in tokens)) for tokens in per_key)
    )


def name_matches(cipher: BuyerDataCipher, buyer_data: str | None, text: str) -> bool:
    """The exact check on a candidate: its decrypted name contains ``text``, ignoring case and spacing."""
    from channel_plugin.storage.orders import open_buyer

    buyer, address = open_buyer(buyer_data, cipher)
    name = buyer_display_name(buyer, address)
    if name is None:
        return False
    return " ".join(text.casefold().split()) in " ".join(name.casefold().split())


def tokens_for(cipher: BuyerDataCipher, names: Iterable[tuple[int, str | None]]) -> list[dict[str, object]]:
    """Rows for an executemany UPDATE of ``buyer_name_tokens`` (after an address change, say)."""
    return [{"_pk": pk, "buyer_name_tokens": name_tokens(cipher, name)} for pk, name in names]
