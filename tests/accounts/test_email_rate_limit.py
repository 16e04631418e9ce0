"""The two public forms that send email (password reset, confirmation again) are limited per email address
and per client IP, in the database; over the limit they answer the same and send nothing."""

import threading

import pytest
from django.db import connection

from opencity.accounts import rate_limits
from opencity.accounts.models import RateLimitEvent
from tests.accounts.test_login import login
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
Kind = RateLimitEvent.Kind
NEUTRAL = "If an account uses this address"


def reset(client, email, ip="10.0.0.1", **extra):
    return client.post("/accounts/password/reset/", {"email": email}, REMOTE_ADDR=ip, follow=True, **extra)


def test_password_reset_limited_per_email(client, mailoutbox, settings):
    settings.EMAIL_RATE_LIMIT = 2
    make_user("reset@example.org")
    for n in range(2):
        assert NEUTRAL in reset(client, "reset@example.org", ip=f"10.0.0.{n + 1}").content.decode()
    assert len(mailoutbox) == 2
    resp = reset(client, "RESET@example.org", ip="10.0.0.9")  # another IP, same address: refused
    assert resp.status_code == 200 and NEUTRAL in resp.content.decode()
    assert len(mailoutbox) == 2
    # the refused request recorded nothing, so the lock does not grow forever
    assert RateLimitEvent.objects.filter(kind=Kind.PASSWORD_RESET).count() == 2


def test_password_reset_limited_per_ip_whatever_the_address(client, mailoutbox, settings):
    settings.EMAIL_RATE_LIMIT_PER_IP = 3
    make_user("known@example.org")
    for n in range(3):
        reset(client, f"ghost{n}@example.org", ip="10.6.6.6")  # unknown addresses count too
    assert mailoutbox == []
    resp = reset(client, "known@example.org", ip="10.6.6.6")
    assert NEUTRAL in resp.content.decode() and mailoutbox == []
    # somebody else, behind the trusted proxy with another forwarded address, still gets their email
    reset(client, "known@example.org", ip="127.0.0.1", HTTP_X_FORWARDED_FOR="10.7.7.7")
    assert len(mailoutbox) == 1
    assert RateLimitEvent.objects.filter(kind=Kind.PASSWORD_RESET, ip="10.7.7.7").count() == 1


def test_password_reset_limit_window_expires(client, mailoutbox, settings):
    settings.EMAIL_RATE_LIMIT = 1
    make_user("reset@example.org")
    reset(client, "reset@example.org")
    reset(client, "reset@example.org")
    assert len(mailoutbox) == 1
    settings.EMAIL_RATE_WINDOW = 0
    reset(client, "reset@example.org")
    assert len(mailoutbox) == 2


def test_resend_confirmation_limited(client, mailoutbox, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_RATE_LIMIT = 2
    user = make_user("new@example.org", email_confirmed=False)
    token = login(client, user.email).context["resend_token"]
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            resp = client.post("/accounts/confirm/resend/", {"token": token}, REMOTE_ADDR=f"10.0.1.{n}", follow=True)
        assert "We sent a new confirmation link" in resp.content.decode()
    assert len(mailoutbox) == 2
    assert RateLimitEvent.objects.filter(kind=Kind.CONFIRM_RESEND, email=user.email).count() == 2


def test_resend_confirmation_limited_per_ip(client, mailoutbox, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_RATE_LIMIT_PER_IP = 1
    a = make_user("a@example.org", email_confirmed=False)
    b = make_user("b@example.org", email_confirmed=False)
    tokens = [login(client, u.email).context["resend_token"] for u in (a, b)]
    with django_capture_on_commit_callbacks(execute=True):
        for token in tokens:
            client.post("/accounts/confirm/resend/", {"token": token}, REMOTE_ADDR="10.0.2.2")
    assert [m.to for m in mailoutbox] == [[a.email]]


def test_kinds_are_counted_apart(settings):
    settings.EMAIL_RATE_LIMIT = 1
    settings.LOGIN_RATE_LIMIT = 1
    assert rate_limits.rate_take(kind=Kind.PASSWORD_RESET, email="x@example.org", ip="10.0.0.1")
    assert rate_limits.rate_take(kind=Kind.CONFIRM_RESEND, email="x@example.org", ip="10.0.0.1")
    assert not rate_limits.login_is_limited(email="x@example.org", ip="10.0.0.1")
    assert not rate_limits.rate_take(kind=Kind.PASSWORD_RESET, email="X@example.org", ip="10.0.0.2")


def test_knobs_fall_back_to_the_environment(monkeypatch, settings):
    for name in ("EMAIL_RATE_LIMIT", "EMAIL_RATE_LIMIT_PER_IP", "EMAIL_RATE_WINDOW"):
        if hasattr(settings, name):
            delattr(settings, name)
    assert rate_limits.rate_policy(Kind.PASSWORD_RESET) == (3, 10, 3600)
    monkeypatch.setenv("EMAIL_RATE_LIMIT", "7")
    assert rate_limits.rate_policy(Kind.PASSWORD_RESET)[0] == 7
    settings.EMAIL_RATE_LIMIT = 4
    assert rate_limits.rate_policy(Kind.PASSWORD_RESET)[0] == 4


@pytest.mark.django_db(transaction=True)
def test_requests_racing_at_the_limit_never_pass_it(settings):
    settings.EMAIL_RATE_LIMIT = 3
    results, barrier = [], threading.Barrier(6)

    def attempt(n):
        try:
            barrier.wait(timeout=10)
            results.append(rate_limits.rate_take(kind=Kind.PASSWORD_RESET, email="race@example.org", ip=f"10.1.0.{n}"))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 6
    assert sum(results) == 3  # served one by one: exactly the limit passes
    assert RateLimitEvent.objects.filter(email="race@example.org").count() == sum(results)


def test_trusted_proxies_from_the_environment(rf, monkeypatch, settings):
    from opencity.accounts.views import _client_ip

    if hasattr(settings, "TRUSTED_PROXIES"):
        delattr(settings, "TRUSTED_PROXIES")
    request = rf.get("/", REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert _client_ip(request) == "10.0.0.254"
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.253, 10.0.0.254")
    assert _client_ip(request) == "10.1.2.3"
