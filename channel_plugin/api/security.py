"""Who may run what, and how big a request may be."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from channel_plugin.storage.tokens import Scope

MAX_DEPTH = 8  # the deepest real query (an order's item prices) is 6 deep; the schema has no cycles
MAX_ALIASES = 15
MAX_TOKENS = 2000
MAX_PAGE_SIZE = 100
MAX_COST = 5000  # fields resolved, each counted once per node of every enclosing page
DEFAULT_PAGE_SIZE = 10


class RequireScope(SchemaExtension):
    """Queries need a read (or write) token; mutations need a write token. Checked before anything resolves."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        scope = getattr(context, "scope", None)
        if scope is None:
            raise GraphQLError("Authentication required.", extensions={"code": "UNAUTHENTICATED"})
        if self.execution_context.operation_type is OperationType.MUTATION and scope is not Scope.WRITE:
            raise GraphQLError("This operation needs a token with the write scope.", extensions={"code": "FORBIDDEN"})
        yield


def check_page_size(first: int) -> None:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise GraphQLError(
            f"first must be between 1 and {MAX_PAGE_SIZE}, got {first}.", extensions={"code": "BAD_USER_INPUT"}
        )


class QueryCost(SchemaExtension):
    """Refuses operations that would resolve too many fields: each field costs one per node of every enclosing
    page (``first``), so fifteen aliased pages of 100 orders with all their fields cannot run together."""

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        operation = ec.operation_name
        document = ec.graphql_document
        if document is not None:
            fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
            variables = ec.variables or {}
            for definition in document.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                if operation and definition.name and definition.name.value != operation:
                    continue
                cost = _cost(definition.selection_set, 1, fragments, variables)
                if cost > MAX_COST:
                    raise GraphQLError(
                        f"This operation would cost {cost} (limit {MAX_COST}): ask for fewer fields or smaller pages.",
                        extensions={"code": "QUERY_TOO_COSTLY"},
                    )
        yield


def _cost(
    selection_set: SelectionSetNode | None,
    multiplier: int,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += multiplier
            total += _cost(selection.selection_set, multiplier * _page_size(selection, variables), fragments, variables)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            total += _cost(fragments[selection.name.value].selection_set, multiplier, fragments, variables)
        elif isinstance(selection, InlineFragmentNode):
            total += _cost(selection.selection_set, multiplier, fragments, variables)
    return total


def _page_size(field: FieldNode, variables: dict[str, Any]) -> int:
    for argument in field.arguments or ():
        if argument.name.value != "first":
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return max(int(value.value), 1)
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            return max(given, 1) if isinstance(given, int) else DEFAULT_PAGE_SIZE
    return DEFAULT_PAGE_SIZE if field.name.value in _PAGED_FIELDS else 1


_PAGED_FIELDS = frozenset({"amazonOrders", "importBlockers"})
