"""Issue 8, item 1: one login flow (the admin uses the site's, with its limits and 2FA step), sessions that
record their second factor, recovery codes (shown once, hashed, each usable once, at login and at the sudo
prompt, renewable)."""

import time

import pyotp
import pytest

from opencity.accounts import otp, services
from opencity.accounts.models import RateLimitEvent, RecoveryCode, User
from opencity.accounts.permissions import has_2fa
from tests.conftest import PASSWORD, enable_2fa, make_user

pytestmark = pytest.mark.django_db


def _with_totp(**extra) -> User:
    user = make_user(**extra)
    services.totp_begin(user=user)
    user.refresh_from_db()
    services.totp_enable(user=user, code=pyotp.TOTP(user.totp_secret).now())
    return User.objects.get(pk=user.pk)


def _code(user) -> str:
    User.objects.filter(pk=user.pk).update(totp_last_step=None)
    return pyotp.TOTP(user.totp_secret).now()


def test_admin_login_is_the_site_login(client):
    """The reproduction: twelve wrong passwords at /admin/login/ were all answered, and the right one gave a
    full session without the code. Now the admin's login page only sends to the site's login."""
    staff = _with_totp(is_staff=True, is_superuser=True)
    for _ in range(12):
        resp = client.post("/admin/login/", {"username": staff.email, "password": "guess"}, REMOTE_ADDR="10.0.0.5")
        assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")
    resp = client.post("/admin/login/?next=/admin/", {"username": staff.email, "password": PASSWORD})
    assert resp["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert not client.get("/admin/").wsgi_request.user.is_authenticated
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    # An unsafe next is dropped.
    assert client.get("/admin/login/?next=https://evil.example/")["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    # The site's login: password, then the code; back to the admin.
    resp = client.post("/accounts/login/", {"email": staff.email, "password": PASSWORD, "next": "/admin/"})
    assert resp["Location"] == "/accounts/login/otp/"
    resp = client.post("/accounts/login/otp/", {"otp": _code(staff)})
    assert resp["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200 and has_2fa(page.wsgi_request.user)
    assert client.get("/admin/login/?next=/admin/accounts/user/")["Location"] == "/admin/accounts/user/"


def test_admin_login_rate_limit_is_the_sites(client, settings):
    settings.LOGIN_RATE_LIMIT = 3
    staff = make_user(is_staff=True)
    for _ in range(3):
        client.post("/accounts/login/", {"email": staff.email, "password": "guess", "next": "/admin/"})
    resp = client.post("/accounts/login/", {"email": staff.email, "password": PASSWORD, "next": "/admin/"})
    assert "Too many failed attempts" in resp.content.decode()


def test_non_staff_signed_in_is_refused_by_the_admin_not_looped(client):
    client.force_login(make_user())
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_session_records_when_it_passed_the_second_factor(client):
    user = _with_totp()
    client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    before = time.time()
    client.post("/accounts/login/otp/", {"otp": _code(user)})
    data = client.session[otp.SESSION_KEY]
    assert data["u"] == user.pk and before - 1 <= data["at"] <= time.time()
    request_user = client.get("/accounts/settings/").wsgi_request.user
    assert has_2fa(request_user)
    # A password-only login of an account without TOTP records nothing.
    other = make_user()
    client.logout()
    client.post("/accounts/login/", {"email": other.email, "password": PASSWORD})
    assert otp.SESSION_KEY not in client.session


def test_enable_2fa_helper_passes_in_services_and_force_login():
    user = enable_2fa(make_user())
    assert has_2fa(user)
    from django.test import Client

    c = Client()
    c.force_login(user)
    assert has_2fa(c.get("/accounts/settings/").wsgi_request.user)


def test_recovery_codes_shown_once_hashed_and_each_usable_once(client):
    user = make_user()
    client.force_login(user)
    client.post("/accounts/settings/2fa/begin/")
    user.refresh_from_db()
    client.post("/accounts/settings/2fa/", {"otp": pyotp.TOTP(user.totp_secret).now()})
    page = client.get("/accounts/settings/")
    codes = page.context["new_recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in page.content.decode() for code in codes)
    # Shown once: the next visit does not show them again.
    again = client.get("/accounts/settings/")
    assert again.context["new_recovery_codes"] is None and codes[0] not in again.content.decode()
    # Stored hashed only.
    stored = list(RecoveryCode.objects.filter(user=user).values_list("digest", flat=True))
    assert len(stored) == 10 and not any(code in d for code in codes for d in stored)
    # Usable at login instead of the app's code, once.
    client.logout()
    client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    resp = client.post("/accounts/login/otp/", {"otp": codes[0].upper()})
    assert resp.status_code == 302 and has_2fa(client.get("/accounts/settings/").wsgi_request.user)
    client.logout()
    client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    resp = client.post("/accounts/login/otp/", {"otp": codes[0]})
    assert resp.status_code == 200 and not resp.wsgi_request.user.is_authenticated
    # ... and at the sudo prompt.
    client.post("/accounts/login/otp/", {"otp": codes[1]})
    session = client.session
    session[otp.SESSION_KEY] = {"u": user.pk, "at": time.time() - 3600}
    session.save()
    assert not has_2fa(client.get("/accounts/settings/").wsgi_request.user)
    resp = client.post("/accounts/confirm-code/", {"otp": codes[2], "next": "/accounts/settings/"})
    assert resp["Location"] == "/accounts/settings/"
    assert has_2fa(client.get("/accounts/settings/").wsgi_request.user)
    assert services.recovery_codes_left(user) == 7


def test_recovery_codes_renew_needs_a_fresh_code_and_replaces_the_old(client):
    user = _with_totp()
    old = services.recovery_codes_generate(user=user)
    client.force_login(user)  # a session that did not pass the code
    resp = client.post("/accounts/settings/2fa/recovery-codes/", HTTP_REFERER="http://testserver/accounts/settings/")
    assert resp["Location"].startswith("/accounts/confirm-code/")
    assert services.recovery_codes_left(user) == 10 and services.recovery_code_use(user=user, code=old[0])
    client.post("/accounts/confirm-code/", {"otp": _code(user)})
    resp = client.post("/accounts/settings/2fa/recovery-codes/")
    assert resp.status_code == 302
    new = client.get("/accounts/settings/").context["new_recovery_codes"]
    assert len(new) == 10 and not services.recovery_code_use(user=user, code=old[1])
    assert services.recovery_code_use(user=user, code=new[0])


def test_turning_2fa_off_deletes_the_recovery_codes():
    user = _with_totp()
    services.recovery_codes_generate(user=user)
    services.totp_disable(user=user, code=_code(user))
    assert not RecoveryCode.objects.filter(user=user).exists()


def test_wrong_codes_at_the_sudo_prompt_are_limited_per_account(client, settings):
    settings.LOGIN_RATE_LIMIT = 3
    user = _with_totp()
    client.force_login(user)
    wrong = str((int(_code(user)) + 1) % 1_000_000).zfill(6)
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        client.post("/accounts/confirm-code/", {"otp": wrong}, REMOTE_ADDR=ip)
    resp = client.post("/accounts/confirm-code/", {"otp": _code(user)}, REMOTE_ADDR="10.0.0.4")
    assert "Too many failed attempts" in resp.content.decode()
    assert RateLimitEvent.objects.filter(kind=RateLimitEvent.Kind.SECOND_FACTOR).count() == 3


def test_sudo_page_without_totp_goes_to_settings(client):
    client.force_login(make_user())
    assert client.get("/accounts/confirm-code/")["Location"] == "/accounts/settings/#two-factor"
