"""What every resolver gets: the runtime, the caller's scope, and DataLoaders that live for this request only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info as StrawberryInfo

from channel_plugin.engine.runtime import Runtime
from channel_plugin.links import DEFAULT_COMMERCE_ORDER_URL
from channel_plugin.storage.tokens import Scope


@dataclass
class Context:
    runtime: Runtime
    scope: Scope | None
    commerce_order_url: str = DEFAULT_COMMERCE_ORDER_URL
    loaders: dict[str, Any] = field(default_factory=dict)

    def loader(self, name: str, factory: Any) -> Any:
        """The request's DataLoader called ``name``, made on first use (never shared between requests)."""
        if name not in self.loaders:
            self.loaders[name] = factory(self.runtime)
        return self.loaders[name]


Info = StrawberryInfo[Context, None]
