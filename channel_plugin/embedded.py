"""The plugin on the reference host in one process: what ``channel-plugin serve`` runs when no other host does."""

from __future__ import annotations

import pluggy

from channel_plugin import hookspecs
from channel_plugin.amazon.blocking import SpApiClients
from channel_plugin.engine.runtime import Runtime
from channel_plugin.host import ReferenceHost
from channel_plugin.plugin import ChannelPlugin
from channel_plugin.storage.crypto import BuyerDataCipher
from channel_plugin.storage.db import Database


def embedded_runtime(db: Database, cipher: BuyerDataCipher) -> Runtime:
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    plugin = ChannelPlugin()
    pm.register(plugin, name="amazon_order_channel")
    host = ReferenceHost(db, pm, cipher=cipher)
    host.create_schema()
    host.register()
    return plugin.configure(db=db, pm=pm, cipher=cipher, marketplace_for=SpApiClients(cipher))
