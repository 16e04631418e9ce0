"""How often people may try: failed logins, wrong two-factor codes, emails sent from public forms.

Counted in the database (`RateLimitEvent`), so every web worker sees the same counts.
"""

import secrets
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from opencity.accounts.conf import knob
from opencity.accounts.models import RateLimitEvent, normalize_email

Kind = RateLimitEvent.Kind


def rate_policy(kind: str) -> tuple[int, int, int]:
    """(events allowed per key, per IP address, window in seconds) for one kind of event.

    Failed logins count per (account, IP) and per IP across accounts, with separate budgets: an attacker
    elsewhere cannot lock a person out of their own network, and one person's typos cannot lock out the
    other accounts behind a shared address (the per-IP budget is larger). Wrong two-factor codes count per
    account across addresses (only someone who has the password gets there), sign-ups per IP.
    """
    if kind == Kind.LOGIN:
        return (
            int(knob("LOGIN_RATE_LIMIT", 5, int)),
            int(knob("LOGIN_RATE_LIMIT_PER_IP", 50, int)),
            int(knob("LOGIN_RATE_WINDOW", 900, int)),
        )
    if kind == Kind.SECOND_FACTOR:
        per_account = knob("OTP_RATE_LIMIT", None, int)
        return (
            int(per_account if per_account is not None else knob("LOGIN_RATE_LIMIT", 5, int)),
            int(knob("LOGIN_RATE_LIMIT_PER_IP", 50, int)),
            int(knob("LOGIN_RATE_WINDOW", 900, int)),
        )
    if kind == Kind.SIGNUP:
        return (
            int(knob("EMAIL_RATE_LIMIT", 3, int)),
            int(knob("SIGNUP_RATE_LIMIT_PER_IP", 10, int)),
            int(knob("EMAIL_RATE_WINDOW", 3600, int)),
        )
    return (
        int(knob("EMAIL_RATE_LIMIT", 3, int)),
        int(knob("EMAIL_RATE_LIMIT_PER_IP", 10, int)),
        int(knob("EMAIL_RATE_WINDOW", 3600, int)),
    )


def _over(kind: str, email: str, ip: str | None) -> bool:
    per_email, per_ip, window = rate_policy(kind)
    recent = RateLimitEvent.objects.filter(kind=kind, at__gte=timezone.now() - timedelta(seconds=window))
    mine = recent.filter(email=email)
    if kind == Kind.LOGIN:  # per (account, IP): failures elsewhere do not lock the owner out
        mine = mine.filter(ip=ip or None)
    if mine.count() >= per_email:
        return True
    return bool(ip) and recent.filter(ip=ip).count() >= per_ip


def rate_is_limited(*, kind: str, email: str, ip: str | None) -> bool:
    """True when this email or this IP address reached the limit of `kind` lately; checked in the database."""
    return _over(kind, normalize_email(email)[:254], ip)


def rate_event_record(*, kind: str, email: str, ip: str | None) -> None:
    """Count one event; old ones are swept on the way."""
    now = timezone.now()
    with transaction.atomic():
        RateLimitEvent.objects.create(kind=kind, email=normalize_email(email)[:254], ip=ip or None, at=now)
        if secrets.randbelow(20) == 0:
            longest = max(rate_policy(k)[2] for k in Kind.values)
            RateLimitEvent.objects.filter(at__lt=now - timedelta(seconds=longest * 2)).delete()


def rate_take(*, kind: str, email: str, ip: str | None) -> bool:
    """Count one event if the limits allow it and say whether they did (False: do nothing, record nothing).

    Check and insert happen under a lock per (kind, email) and per (kind, ip), so requests racing at the
    limit are served one by one: exactly as many pass as the limit allows. PostgreSQL: transaction-scoped
    advisory locks, taken in a stable order; SQLite: its IMMEDIATE transactions already serialise writers.
    """
    email = normalize_email(email)[:254]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            keys = sorted({f"ratelimit:{kind}:email:{email}", f"ratelimit:{kind}:ip:{ip or ''}"})
            with connection.cursor() as cur:
                for key in keys:
                    cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
        if _over(kind, email, ip):
            return False
        RateLimitEvent.objects.create(kind=kind, email=email, ip=ip or None)
        return True


def rate_events_clear(*, kind: str, email: str) -> None:
    with transaction.atomic():
        RateLimitEvent.objects.filter(kind=kind, email=normalize_email(email)).delete()


def login_is_limited(*, email: str, ip: str | None) -> bool:
    """True when this email or this IP address failed too often lately."""
    return rate_is_limited(kind=Kind.LOGIN, email=email, ip=ip)


def login_attempt_record(*, email: str, ip: str | None) -> None:
    """Remember one failed login."""
    rate_event_record(kind=Kind.LOGIN, email=email, ip=ip)


def login_attempts_clear(*, email: str) -> None:
    """A successful login forgets the failures for that email."""
    rate_events_clear(kind=Kind.LOGIN, email=email)
    rate_events_clear(kind=Kind.SECOND_FACTOR, email=email)


def second_factor_is_limited(*, email: str, ip: str | None) -> bool:
    return rate_is_limited(kind=Kind.SECOND_FACTOR, email=email, ip=ip)


def second_factor_failure_record(*, email: str, ip: str | None) -> None:
    rate_event_record(kind=Kind.SECOND_FACTOR, email=email, ip=ip)
