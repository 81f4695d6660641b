"""Expected failures are data: every mutation payload carries ``errors: [UserError!]!`` (Saleor's shape)."""

from __future__ import annotations

from enum import Enum

import strawberry

from channel_plugin.errors import ValidationError


@strawberry.enum(description="What kind of problem a UserError reports.")
class UserErrorCode(Enum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    NOT_ALLOWED = "NOT_ALLOWED"
    UNKNOWN_FIELD = "UNKNOWN_FIELD"
    NOT_CANCELABLE = "NOT_CANCELABLE"
    HOST_ERROR = "HOST_ERROR"
    BUSY = "BUSY"


@strawberry.type(description="An expected failure, tied to the input field it is about (null: the whole input).")
class UserError:
    field: str | None
    code: UserErrorCode
    message: str


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def user_errors(error: ValidationError, *, prefix: str | None = None) -> list[UserError]:
    """The domain's ValidationError as the API spells it (camelCase field names)."""
    field = camel(error.field) if error.field else None
    if prefix and field:
        field = f"{prefix}.{field}"
    try:
        code = UserErrorCode(error.code)
    except ValueError:
        code = UserErrorCode.INVALID
    return [UserError(field=field, code=code, message=error.message)]
