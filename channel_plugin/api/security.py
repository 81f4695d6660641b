"""Who may run what, and how big a request may be."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from channel_plugin.storage.tokens import Scope

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000
MAX_PAGE_SIZE = 100


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
