"""The one safe-redirect helper: every `next=` (login, language, expenses, memberships…) goes through it."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_next(request, target: str | None) -> bool:
    """True for a path or URL on this site only: refuses other hosts, `//host`, `/\\host`, other schemes and
    control characters (browsers drop tabs and newlines from URLs, so `/\\t/evil` would become `//evil`)."""
    if not target or any(ord(ch) < 32 or ch == "\x7f" for ch in target):
        return False
    return url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request, default: str = "") -> str:
    """The request's `next` (POST first, then the query string) when it is safe, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_safe_next(request, target) else default
