"""Cursor pagination: `{"results": [...], "next": <opaque cursor or null>}`, stable under inserts."""

import base64
import json

from opencity.core.errors import ValidationFailed

MAX_LIMIT = 100


def encode_cursor(values: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(data, dict):
            raise ValueError
        return data
    except Exception as exc:  # noqa: BLE001
        raise ValidationFailed("Invalid cursor.", code="invalid_cursor", field="cursor") from exc


def clamp_limit(limit: int | None, default: int = 20) -> int:
    if limit is None:
        return default
    return max(1, min(int(limit), MAX_LIMIT))


def keyset_page(queryset, *, cursor: str | None, limit: int, key: str = "id", descending: bool = False):
    """One page of `queryset` ordered by the unique integer `key`; returns (rows, next_cursor)."""
    after = decode_cursor(cursor)
    qs = queryset.order_by(f"-{key}" if descending else key)
    if after is not None:
        try:
            pivot = int(after["k"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationFailed("Invalid cursor.", code="invalid_cursor", field="cursor") from exc
        qs = qs.filter(**{f"{key}__lt" if descending else f"{key}__gt": pivot})
    rows = list(qs[: limit + 1])
    nxt = encode_cursor({"k": getattr(rows[limit - 1], key)}) if len(rows) > limit else None
    return rows[:limit], nxt
