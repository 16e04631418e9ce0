"""Every pagination cursor (API lists and pages) is made and read here: signed, then strictly validated.

A cursor is `signing.dumps` of a small dict, so a client can neither forge nor edit one: any change fails
the signature. Readers still declare the exact shape they expect (`decode_cursor(c, o=OFFSET)`) and every
value is checked against it, so even a cursor we signed ourselves with bad values (an old format, a bug)
gives a 400 `invalid_cursor`, never a 500.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core import signing
from django.utils.translation import gettext_lazy as _

from opencity.core.errors import ValidationFailed

SALT = "opencity.cursor"
MAX_CURSOR_LENGTH = 500
MAX_ID = 2**63 - 1  # a bigint primary key
MAX_OFFSET = 100_000  # offset cursors (small ranked lists) go no further


def invalid_cursor() -> ValidationFailed:
    return ValidationFailed(
        _("This page link is not valid; start again from the first page."), code="invalid_cursor", field="cursor"
    )


def _int_in(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if type(value) is not int or not low <= value <= high:
            raise ValueError(value)
        return value

    return check


def _date(value: Any) -> dt.date:
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError(value)
    return dt.date.fromisoformat(value)


ID = _int_in(0, MAX_ID)
OFFSET = _int_in(0, MAX_OFFSET)
DATE = _date


def encode_cursor(values: dict) -> str:
    return signing.dumps(values, salt=SALT, compress=False)


def decode_cursor(cursor: str | None, **fields: Callable[[Any], Any]) -> dict | None:
    """None for no cursor; the validated values (exactly `fields`, each through its checker) otherwise."""
    if not cursor:
        return None
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid_cursor()
    try:
        data = signing.loads(cursor, salt=SALT)
        if not isinstance(data, dict) or set(data) != set(fields):
            raise ValueError("unexpected keys")
        return {key: check(data[key]) for key, check in fields.items()}
    except (signing.BadSignature, ValueError, TypeError, OverflowError) as exc:
        raise invalid_cursor() from exc
