"""Who may run what, and how big a request may be."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from channel_plugin.api.query_size import FragmentCycle, SizeMeter
from channel_plugin.storage.tokens import Scope

MAX_DEPTH = 8  # the deepest real query (an order's item prices) is 6 deep; the schema has no cycles
MAX_ALIASES = 15
MAX_TOKENS = 2000
MAX_PAGE_SIZE = 100
MAX_COST = 5000  # fields resolved, each counted once per node of every enclosing page


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


class SizeLimits(ValidationRule):
    """Refuses operations nested deeper than ``MAX_DEPTH`` (introspection fields aside) or with more than
    ``MAX_ALIASES`` aliases over the whole document, each fragment measured once (see ``query_size``)."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        meter = SizeMeter(_fragments(context.document), {})
        aliases = 0
        for definition in context.document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            try:
                size = meter.measure(definition.selection_set)
            except FragmentCycle:
                return  # graphql-core's NoFragmentCycles rule refuses the document and names the cycle
            if size.depth > MAX_DEPTH:
                name = definition.name.value if definition.name else "anonymous"
                context.report_error(
                    GraphQLError(f"'{name}' exceeds maximum operation depth of {MAX_DEPTH}.", [definition])
                )
            aliases += size.aliases
        if aliases > MAX_ALIASES:
            context.report_error(GraphQLError(f"{aliases} aliases found. Allowed: {MAX_ALIASES}."))


class QueryCost(SchemaExtension):
    """Refuses operations that would resolve too many fields: each field costs one per node of every enclosing
    page (``first``) or day (``orderVolume``'s ``days``), so fifteen aliased pages of 100 orders with all their
    fields cannot run together. Runs after validation, which has refused fragment cycles."""

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        operation = ec.operation_name
        document = ec.graphql_document
        if document is not None:
            meter = SizeMeter(_fragments(document), ec.variables or {})
            for definition in document.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                if operation and definition.name and definition.name.value != operation:
                    continue
                cost = meter.measure(definition.selection_set).cost
                if cost > MAX_COST:
                    raise GraphQLError(
                        f"This operation would cost {cost} (limit {MAX_COST}): ask for fewer fields or smaller pages.",
                        extensions={"code": "QUERY_TOO_COSTLY"},
                    )
        yield


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
