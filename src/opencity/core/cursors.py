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
from django.db import connections
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
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


def rows_before(qs: QuerySet, fields: tuple[str, ...], values: tuple, *, inclusive: bool = False) -> QuerySet:
    """`qs` restricted to `(f1, f2, …) < (v1, v2, …)` (or `<=`), written as ONE row-value comparison.

    A keyset page of a list ordered by those columns descending: with the comparison on row values a
    B-tree index on the columns bounds the scan (PostgreSQL shows it as an Index Cond), so a page deep in
    the history costs what the first page costs. The same bound written as `a < x OR (a = x AND b < y)`
    is only a filter: the database reads and throws away every newer row. SQLite ≥ 3.15 has row values.
    """
    connection = connections[qs.db]
    meta = qs.model._meta
    qn = connection.ops.quote_name
    columns, params = [], []
    for name, value in zip(fields, values, strict=True):
        field = meta.get_field(name)
        columns.append(f"{qn(meta.db_table)}.{qn(field.column)}")
        params.append(field.get_db_prep_value(value, connection))
    op = "<=" if inclusive else "<"
    marks = ", ".join(["%s"] * len(params))
    # Only quoted column names from the model's meta are spliced in; every value is a parameter.
    sql = f"({', '.join(columns)}) {op} ({marks})"
    return qs.filter(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611
