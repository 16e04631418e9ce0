"""Shared fixtures. Test data is built through the real services, as users build it."""

import itertools

import pytest

from opencity.accounts.models import User
from opencity.community.services import person_find_or_create
from opencity.hosting import services as hosting

PASSWORD = "correct-horse-battery-staple"
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _test_settings(request, settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    # Argon2 (the production hasher) costs ~0.4 s per user on a 2-core machine. Tests about hashing
    # itself carry `@pytest.mark.argon2` and keep the production setting.
    if request.node.get_closest_marker("argon2") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run inline in tests; tests/core/test_worker.py proves the real database queue and worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


def make_user(email: str | None = None, name: str = "", **extra) -> User:
    email = email or f"user{next(_seq)}@example.org"
    extra.setdefault("email_confirmed", True)
    user = User.objects.create_user(email=email, password=PASSWORD, name=name or email.split("@")[0], **extra)
    person_find_or_create(email=email, name=user.name, user=user)
    return user


def enable_2fa(user: User) -> User:
    """Turn on TOTP two-factor through the accounts services and return the user as a request that just
    passed it sees them (`otp_verified_at`), so `has_2fa(user)` is True for service calls; a
    `client.force_login(user)` with this object starts a verified session too (accounts.otp records it)."""
    import time

    import pyotp

    from opencity.accounts import services as accounts

    user.refresh_from_db()
    if not user.totp_enabled:
        accounts.totp_begin(user=user)
        user.refresh_from_db()
        accounts.totp_enable(user=user, code=pyotp.TOTP(user.totp_secret).now())
        user.refresh_from_db()
    user.otp_verified_at = time.time()
    return user


def otp_header(user: User) -> dict:
    """Client kwargs with a current TOTP code for an API money call (`X-OpenCity-OTP`). Each code is accepted
    once, so this first forgets the last accepted step, as a caller who waited for the next code would."""
    import pyotp

    User.objects.filter(pk=user.pk).update(totp_last_step=None)
    return {"HTTP_X_OPENCITY_OTP": pyotp.TOTP(user.totp_secret).now()}


def make_host(slug: str | None = None, admin: User | None = None, **kwargs):
    n = next(_seq)
    admin = admin or make_user(f"hostadmin{n}@example.org", name=f"Host Admin {n}")
    kwargs.setdefault("legal_name", f"Host {n} ASBL")
    kwargs.setdefault("iban", "BE68539007547034")
    kwargs.setdefault("default_host_fee_percent", 8)
    return hosting.host_create(slug=slug or f"host-{n}", admin=admin, **kwargs)


def make_collective(host, admin: User | None = None, slug: str | None = None, active: bool = True, **kwargs):
    n = next(_seq)
    admin = admin or make_user(f"organiser{n}@example.org", name=f"Organiser {n}")
    kwargs.setdefault("name", f"Collective {n}")
    collective = hosting.collective_create(user=admin, host=host, slug=slug or f"collective-{n}", **kwargs)
    if active:
        host_admin = host.admins.first()
        hosting.application_approve(application=collective.applications.get(), by=host_admin)
        collective.refresh_from_db()
    return collective


@pytest.fixture
def user(db):
    return make_user()


@pytest.fixture
def host(db):
    return make_host()


@pytest.fixture
def host_admin(host):
    return host.admins.first()


@pytest.fixture
def collective(host):
    return make_collective(host)


@pytest.fixture
def collective_admin(collective):
    return collective.admins.first()


@pytest.fixture
def api_token():
    """Returns a function: api_token(user) -> 'Bearer …' header value."""
    from opencity.accounts.services import api_token_create

    def _make(user):
        raw = api_token_create(user=user, name="test")
        return f"Bearer {raw}"

    return _make


@pytest.fixture
def check_ledger():
    """Call after a scenario: raises if any ledger invariant is broken."""
    from django.core.management import call_command

    def _check():
        call_command("check_ledger")

    return _check


@pytest.fixture
def cli_run(settings):
    """Run the real `opencity` console script in a subprocess against the test database.

    Use with `@pytest.mark.django_db(transaction=True)` so the subprocess sees committed rows.
    """
    import os
    import subprocess
    import sys

    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{s['NAME']}"
    else:
        url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env = {k: v for k, v in os.environ.items() if k != "EMAIL_URL"}
    env["DATABASE_URL"] = url

    def _run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "opencity.cli", *args], env=env, capture_output=True, text=True, timeout=300
        )

    return _run
