"""``systemMessages``: the admin banner while any store has orders that cannot be imported, or shipment
confirmations Amazon has not accepted."""

from __future__ import annotations

import strawberry

from channel_plugin.api.context import Info
from channel_plugin.domain.rules import cancel_refusal_message, refusal_message, system_message
from channel_plugin.storage.blockers import stores_with_open_blockers_by_id
from channel_plugin.storage.cancellations import rejected_by_store
from channel_plugin.storage.outbox import CONFIRM_SHIPMENT, stuck_by_store


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
            stuck = stuck_by_store(conn, CONFIRM_SHIPMENT)
            cancels = rejected_by_store(conn)
        messages: list[SystemMessage] = []
        names = sorted({name for _, name in stores})
        text = system_message(names)
        if text:
            links = [SystemMessageStore(id=strawberry.ID(str(pk)), name=name) for pk, name in stores]
            messages.append(SystemMessage(text=text, store_names=names, stores=links))
        counts: dict[str, int] = {}
        for _, name, count in stuck:
            counts[name] = counts.get(name, 0) + count
        refused = refusal_message(counts)
        if refused:
            links = [SystemMessageStore(id=strawberry.ID(str(pk)), name=name) for pk, name, _ in stuck]
            messages.append(SystemMessage(text=refused, store_names=sorted(counts), stores=links))
        refused_cancels = cancel_refusal_message({name: count for _, name, count in cancels})
        if refused_cancels:
            links = [SystemMessageStore(id=strawberry.ID(str(pk)), name=name) for pk, name, _ in cancels]
            messages.append(
                SystemMessage(text=refused_cancels, store_names=sorted({n for _, n, _ in cancels}), stores=links)
            )
        return messages
