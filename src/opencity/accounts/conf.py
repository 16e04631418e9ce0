"""Knobs read at call time: a Django setting if the project defines it, else an environment variable of
the same name, else the default given here (so settings.py need not list every one)."""

import os

from django.conf import settings


def knob(name: str, default, cast=str):
    value = getattr(settings, name, None)
    if value is not None:
        return value
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return cast(raw)
    except (TypeError, ValueError):
        return default


def knob_list(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """A list knob; in the environment it is comma-separated."""
    value = knob(name, None, lambda raw: tuple(part.strip() for part in raw.split(",") if part.strip()))
    return tuple(default if value is None else value)
