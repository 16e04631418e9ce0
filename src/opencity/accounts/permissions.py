"""Permission questions about accounts, in one place.

`has_2fa(user)` is THE check before any money action by hand: the account has TOTP on AND the request
that carries `user` passed the second factor within the sudo window (settings.SUDO_WINDOW seconds, 15
minutes by default). Which request passed it is written on the user object as `otp_verified_at` (epoch
seconds) by one layer only: `opencity.accounts.otp` (from the session for pages, from a fresh
`X-OpenCity-OTP` code for API calls).
"""

import time

from opencity.accounts.conf import knob


def sudo_window() -> int:
    """Seconds a passed second factor stays good for money actions."""
    return max(0, int(knob("SUDO_WINDOW", 900, int)))


def totp_on(user) -> bool:
    """The account has a confirmed, active TOTP second factor (says nothing about this session)."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "totp_enabled", False)
        and getattr(user, "totp_secret", "")
    )


def otp_fresh(user) -> bool:
    """This request's user passed the second factor within the sudo window."""
    at = getattr(user, "otp_verified_at", None)
    if at is None:
        return False
    age = time.time() - float(at)
    return -5 <= age <= sudo_window()


def has_2fa(user) -> bool:
    """TOTP is on for the account and this session/request passed it recently (GitHub's "sudo mode")."""
    return totp_on(user) and otp_fresh(user)


def money_gate(user) -> str:
    """What stands between this signed-in person and moving money: "off" (turn two-factor on in the settings),
    "stale" (confirm with a code: the sudo window has lapsed) or "" (nothing). For the notice pages show
    (accounts/_money_gate.html) before a form that moves money, so nobody fills one in to be refused."""
    if not totp_on(user):
        return "off"
    return "" if otp_fresh(user) else "stale"


def can_use_settings(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)
