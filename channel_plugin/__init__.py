"""Amazon order channel: Amazon marketplace orders imported into a Commerce platform loaded through pluggy.

Integrators write ``from channel_plugin import hookimpl`` and decorate their hook implementations with it.
"""

from channel_plugin.errors import HostError, ValidationError
from channel_plugin.hookspecs import PROJECT_NAME, hookimpl, hookspec

__version__ = "0.1.0"

__all__ = ["PROJECT_NAME", "HostError", "ValidationError", "__version__", "hookimpl", "hookspec"]
