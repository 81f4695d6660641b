"""The schema: every domain's queries and mutations merged, with the limits and masking around them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from channel_plugin.api.blockers.queries import BlockersQuery
from channel_plugin.api.jobs.queries import JobsQuery
from channel_plugin.api.messages import MessagesQuery
from channel_plugin.api.orders.mutations import OrdersMutation
from channel_plugin.api.orders.queries import OrdersQuery
from channel_plugin.api.orders.shipments import ShipmentsMutation
from channel_plugin.api.orders.volume import OrderVolumeQuery
from channel_plugin.api.reconciliation.schema import ReconciliationMutation, ReconciliationQuery
from channel_plugin.api.security import MAX_TOKENS, QueryCost, RequireScope, SizeLimits
from channel_plugin.api.settings.mutations import SettingsMutation
from channel_plugin.api.settings.queries import SettingsQuery
from channel_plugin.api.stores.queries import StoresQuery

log = logging.getLogger("channel_plugin.api")

Query = merge_types(
    "Query",
    (
        StoresQuery,
        SettingsQuery,
        MessagesQuery,
        BlockersQuery,
        OrdersQuery,
        OrderVolumeQuery,
        ReconciliationQuery,
        JobsQuery,
    ),
)
Mutation = merge_types("Mutation", (SettingsMutation, OrdersMutation, ShipmentsMutation, ReconciliationMutation))


class SizeRules(AddValidationRules):
    """The depth and alias limits as one validation rule class made once: the validation cache is keyed by the
    rule classes, and strawberry's own limiters make new ones per request (and walk a fragment at every spread)."""

    def __init__(self) -> None:
        super().__init__([SizeLimits])


def build_schema(*, introspection: bool = False) -> strawberry.Schema:
    """Parser and validation caches on (they halve the cost of a repeated query); errors that were not raised on
    purpose reach the client as "Unexpected error." only."""
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        SizeRules,
        lambda: ParserCache(maxsize=256),  # the LRU itself is module-level: shared by every request
        lambda: ValidationCache(maxsize=256),
        RequireScope,
        QueryCost,
        lambda: MaskErrors(should_mask_error=_unexpected),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return QuietSchema(query=Query, mutation=Mutation, extensions=extensions, suggestions=introspection)


class QuietSchema(strawberry.Schema):
    """Logs only unexpected errors, by type and path: a user's mistake is not an incident, and an exception's
    text may carry order data that must not reach the logs. Without introspection, "Did you mean …" hints are
    cut from every message (fields, arguments, input fields, enum values, types): they would map the schema."""

    def __init__(self, *, suggestions: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suggestions = suggestions

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        for error in errors:
            if not self.suggestions and _SUGGESTION in error.message:
                error.message = error.message.split(_SUGGESTION)[0].rstrip()
            original = getattr(error, "original_error", None)
            if original is not None and not isinstance(original, GraphQLError):
                log.error("GraphQL resolver failed at %s: %s", error.path, type(original).__name__)


_SUGGESTION = "Did you mean"


def _unexpected(error: Exception) -> bool:
    original = getattr(error, "original_error", None)
    return original is not None and not isinstance(original, GraphQLError)


def schema_sdl() -> str:
    """What ``graphql/schema.graphql`` must contain."""
    return build_schema(introspection=True).as_str() + "\n"
