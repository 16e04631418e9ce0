"""Cursor pagination: `{"results": [...], "next": <opaque cursor or null>}`, stable under inserts.

Cursors are made and checked in `opencity.core.cursors` (signed, strictly validated), shared with pages.
"""

from opencity.core.cursors import ID, decode_cursor, encode_cursor

MAX_LIMIT = 100


def clamp_limit(limit: int | None, default: int = 20) -> int:
    if limit is None:
        return default
    return max(1, min(int(limit), MAX_LIMIT))


def keyset_page(queryset, *, cursor: str | None, limit: int, key: str = "id", descending: bool = False):
    """One page of `queryset` ordered by the unique integer `key`; returns (rows, next_cursor)."""
    after = decode_cursor(cursor, k=ID)
    qs = queryset.order_by(f"-{key}" if descending else key)
    if after is not None:
        qs = qs.filter(**{f"{key}__lt" if descending else f"{key}__gt": after["k"]})
    rows = list(qs[: limit + 1])
    nxt = encode_cursor({"k": getattr(rows[limit - 1], key)}) if len(rows) > limit else None
    return rows[:limit], nxt
