"""``systemMessages``: the admin banner while any store has orders that cannot be imported."""

from __future__ import annotations

import strawberry

from channel_plugin.api.context import Info
from channel_plugin.domain.rules import system_message
from channel_plugin.storage.blockers import stores_with_open_blockers


@strawberry.type(description="A message the host shows to every admin until it clears itself.")
class SystemMessage:
    text: str
    store_names: list[str]


@strawberry.type
class MessagesQuery:
    @strawberry.field
    def system_messages(self, info: Info) -> list[SystemMessage]:
        with info.context.runtime.db.transaction(write=False) as conn:
            names = stores_with_open_blockers(conn)
        text = system_message(names)
        return [SystemMessage(text=text, store_names=names)] if text else []
