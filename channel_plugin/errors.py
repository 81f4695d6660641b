"""The few exception types that cross module boundaries, each carrying a message meant for a person."""

from __future__ import annotations


class ChannelError(Exception):
    """Base of every error the plugin raises on purpose."""


class HostError(ChannelError):
    """A host's refusal, with a message for the merchant (shown as a HOST_ERROR blocker or a mutation's error).

    Host services raise it to refuse a request; ``commerce_create_orders`` returns one in place of each refused
    draft's order. Never put buyer data in its message.
    """


class HookResultError(HostError):
    """A hook answered with something the plugin cannot use (a wrong type or shape); the message names the hook
    and what was wrong, never buyer data. The merchant sees it as a HOST_ERROR, like any refusal."""


class HookFailedError(ChannelError):
    """A hook raised something other than ``HostError``: an unexpected failure, not a refusal.

    An import it stops is FAILED (kept with this message and retried), not BLOCKED.
    """


class ValidationError(ChannelError):
    """Input that breaks a rule: a bad setting, a bad manifest key, a bad CLI flag.

    ``field`` names what to fix, ``code`` says what kind of problem it is (GraphQL's ``UserError.code``).
    """

    def __init__(self, field: str, message: str, code: str = "INVALID") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.code = code
        self.message = message


class OrderDataError(ChannelError):
    """An Amazon payload that cannot be read as an order.

    Recorded as INVALID_ORDER_DATA on the order (or as a sync error when it has no id); never raised past a page.
    """

    def __init__(self, message: str, amazon_order_id: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.amazon_order_id = amazon_order_id
        self.field = field


class ManifestError(ValidationError):
    """A bad ``plugin.toml``; the message already names the file and the key, so it is the whole text."""

    def __str__(self) -> str:
        return self.message
