"""Seller SKU to catalog SKU rules, for catalogs whose SKUs differ from what the seller listed on Amazon.

Sellers often list one product several times (``ABC-FBA`` for the Amazon-fulfilled offer, ``AMZ-ABC`` for an
old listing) while the catalog knows it once as ``ABC``. Rather than matching every variant by hand, list this
module in ``plugin.toml`` and configure it under ``[hooks.config.sku_rules]``:

- ``map``: exact seller SKU -> catalog SKU; checked first.
- ``strip_suffixes`` / ``strip_prefixes``: the longest matching suffix, then the longest matching prefix, is
  removed once (never the whole SKU); the remainder is looked up in ``map`` again, so ``ABC-FBA`` follows
  ``map.ABC``.
- ``case_insensitive``: compare SKUs, suffixes and prefixes ignoring case; the answer keeps the seller's case.

When no rule applies it answers None, so the SKU falls through to later implementations, then to the product
matched with ``matchProduct``, then to the seller SKU itself. The rules are the same for every Amazon store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from channel_plugin import ValidationError, hookimpl

KEYS = ("map", "strip_suffixes", "strip_prefixes", "case_insensitive")


class SkuRules:
    def __init__(
        self,
        *,
        mapping: Mapping[str, str] | None = None,
        strip_suffixes: Iterable[str] = (),
        strip_prefixes: Iterable[str] = (),
        case_insensitive: bool = False,
    ) -> None:
        self._fold: Callable[[str], str] = str.casefold if case_insensitive else str
        self._map: dict[str, str] = {}
        for seller_sku, catalog_sku in (mapping or {}).items():
            key = self._fold(seller_sku)
            if key in self._map:
                raise ValidationError("map", f"lists {seller_sku!r} twice when case is ignored")
            self._map[key] = catalog_sku
        # Longest first, so that "-FBA-US" wins over "-US" whatever order the merchant wrote them in.
        self._suffixes = sorted(strip_suffixes, key=len, reverse=True)
        self._prefixes = sorted(strip_prefixes, key=len, reverse=True)

    @hookimpl
    def channel_resolve_sku(self, seller_sku: str) -> str | None:
        mapped = self._map.get(self._fold(seller_sku))
        if mapped is not None:
            return mapped
        stripped = self._strip_prefix(self._strip_suffix(seller_sku))
        if stripped == seller_sku:
            return None
        return self._map.get(self._fold(stripped), stripped)

    def _strip_suffix(self, sku: str) -> str:
        for suffix in self._suffixes:
            if len(sku) > len(suffix) and self._fold(sku[-len(suffix) :]) == self._fold(suffix):
                return sku[: -len(suffix)]
        return sku

    def _strip_prefix(self, sku: str) -> str:
        for prefix in self._prefixes:
            if len(sku) > len(prefix) and self._fold(sku[: len(prefix)]) == self._fold(prefix):
                return sku[len(prefix) :]
        return sku


def create_plugin(config: Mapping[str, Any]) -> SkuRules:
    """Check the configuration's types, naming the offending key, and build the rules (none for {})."""
    for key in config:
        if key not in KEYS:
            raise ValidationError(key, f"is not a known key (known keys: {', '.join(KEYS)})")
    mapping = config.get("map", {})
    if not isinstance(mapping, Mapping) or not all(_is_sku(k) and _is_sku(v) for k, v in mapping.items()):
        raise ValidationError("map", f"must be a table of seller SKU = catalog SKU strings, got {mapping!r}")
    case_insensitive = config.get("case_insensitive", False)
    if not isinstance(case_insensitive, bool):
        raise ValidationError("case_insensitive", f"must be true or false, got {case_insensitive!r}")
    return SkuRules(
        mapping=mapping,
        strip_suffixes=_affixes(config, "strip_suffixes"),
        strip_prefixes=_affixes(config, "strip_prefixes"),
        case_insensitive=case_insensitive,
    )


def _affixes(config: Mapping[str, Any], key: str) -> list[str]:
    value = config.get(key, [])
    if not isinstance(value, list) or not all(_is_sku(item) for item in value):
        raise ValidationError(key, f"must be an array of non-empty strings, got {value!r}")
    return value


def _is_sku(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())
