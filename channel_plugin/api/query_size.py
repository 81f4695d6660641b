"""How big a GraphQL operation is: its depth, its aliases and its cost, each fragment measured once.

Walking a fragment again at every spread makes the walk exponential: twenty fragments that each spread the
previous one twice are a 952-byte query with a million expansions. All three measures are additive over a
selection set (cost is linear in the enclosing page size), so a fragment's size is computed once, memoized by
name, and scaled by wherever it is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    SelectionSetNode,
    VariableNode,
)

DEFAULT_PAGE_SIZE = 10

_FANOUT_ARGUMENTS: dict[str, tuple[str, int]] = {
    "amazonOrders": ("first", DEFAULT_PAGE_SIZE),
    "importBlockers": ("first", DEFAULT_PAGE_SIZE),
    "orderVolume": ("days", 30),
}
"""Fields whose selection is resolved once per page node or per day: the argument that says how many times,
and its default."""


@dataclass(frozen=True)
class Size:
    depth: int  # fields nested below the deepest root field (strawberry's count: a leaf is 0)
    aliases: int
    cost: int  # fields resolved, each once per node of every enclosing page


_EMPTY = Size(depth=0, aliases=0, cost=0)


class FragmentCycle(Exception):
    """A fragment spreads itself (directly or through others); graphql-core's NoFragmentCycles rule names it."""


class SizeMeter:
    """Measures selection sets of one document, remembering each fragment's size after its first use."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any]) -> None:
        self._fragments = fragments
        self._variables = variables
        self._sizes: dict[str, Size] = {}
        self._open: set[str] = set()

    def measure(self, selection_set: SelectionSetNode | None) -> Size:
        if selection_set is None:
            return _EMPTY
        depth = aliases = cost = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                part = self._field(selection)
            elif isinstance(selection, FragmentSpreadNode):
                part = self._fragment(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                part = self.measure(selection.selection_set)
            else:
                continue
            depth = max(depth, part.depth)
            aliases += part.aliases
            cost += part.cost
        return Size(depth=depth, aliases=aliases, cost=cost)

    def _field(self, field: FieldNode) -> Size:
        inner = self.measure(field.selection_set)
        introspection = field.name.value.startswith("__")
        return Size(
            depth=0 if introspection or field.selection_set is None else 1 + inner.depth,
            aliases=inner.aliases + (1 if field.alias is not None else 0),
            cost=1 + self._fanout(field) * inner.cost,
        )

    def _fragment(self, name: str) -> Size:
        known = self._sizes.get(name)
        if known is not None:
            return known
        definition = self._fragments.get(name)
        if definition is None:
            return _EMPTY  # graphql-core's KnownFragmentNames rule reports it
        if name in self._open:
            raise FragmentCycle(name)
        self._open.add(name)
        try:
            size = self.measure(definition.selection_set)
        finally:
            self._open.discard(name)
        self._sizes[name] = size
        return size

    def _fanout(self, field: FieldNode) -> int:
        rule = _FANOUT_ARGUMENTS.get(field.name.value)
        if rule is None:
            return 1
        argument_name, default = rule
        for argument in field.arguments or ():
            if argument.name.value != argument_name:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):  # a literal past 18 digits is refused by validation anyway
                return max(int(value.value), 1) if len(value.value) <= 18 else 10**18
            if isinstance(value, VariableNode):
                given = self._variables.get(value.name.value)
                return max(given, 1) if isinstance(given, int) else default
        return default
