"""Streamed CSV for exports of any size: rows are written into a buffer handed out every 64 KB.

A generator that yields one string per row makes the server write a million tiny chunks; batching them
keeps memory constant (one buffer) and the server's work per row small.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

CHUNK = 64 * 1024


def cell(text: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas; a leading quote keeps text as text."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def stream_rows(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The header, then every row, as CSV text in chunks of about 64 KB."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buf.tell() > CHUNK:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()
