"""``systemMessages``: the admin banner while any store has orders that cannot be imported."""

from __future__ import annotations

import strawberry

from channel_plugin.api.context import Info
from channel_plugin.domain.rules import system_message
from channel_plugin.storage.blockers import stores_with_open_blockers_by_id


@strawberry.type(description="A store a system message is about, so an admin page can link to it.")
class SystemMessageStore:
    id: strawberry.ID
    name: str


@strawberry.type(description="A message the host shows to every admin until it clears itself.")
class SystemMessage:
    text: str
    store_names: list[str]
    stores: list[SystemMessageStore]


@strawberry.type
class MessagesQuery:
    @strawberry.field
    def system_messages(self, info: Info) -> list[SystemMessage]:
        with info.context.runtime.db.transaction(write=False) as conn:
            stores = stores_with_open_blockers_by_id(conn)
        names = sorted({name for _, name in stores})
        text = system_message(names)
        links = [SystemMessageStore(id=strawberry.ID(str(pk)), name=name) for pk, name in stores]
        return [SystemMessage(text=text, store_names=names, stores=links)] if text else []
