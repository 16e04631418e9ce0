import pytest
from django.core import signing

from opencity.accounts.models import RateLimitEvent, User
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def login(client, email, password=PASSWORD, ip="10.0.0.1", **extra):
    return client.post("/accounts/login/", {"email": email, "password": password, **extra}, REMOTE_ADDR=ip)


def test_login_form_contract(client):
    body = client.get("/accounts/login/").content.decode()
    assert '<form method="post" action="/accounts/login/" class="stack"' in body
    assert 'name="email"' in body and 'name="password"' in body
    assert 'href="/accounts/password/reset/"' in body


def test_login_and_logout(client, user):
    resp = login(client, user.email.upper())
    assert resp.status_code == 302 and resp["Location"] == "/"
    assert client.get("/accounts/settings/").status_code == 200
    assert client.get("/accounts/logout/").status_code == 405  # logout is POST only
    resp = client.post("/accounts/logout/")
    assert resp.status_code == 302
    assert client.get("/accounts/settings/").status_code == 302


def test_login_redirects_to_safe_next_only(client, user):
    resp = login(client, user.email, next="/collectives/")
    assert resp["Location"] == "/collectives/"
    client.logout()
    resp = login(client, user.email, next="https://evil.example/")
    assert resp["Location"] == "/"


def test_wrong_password_refused_and_recorded(client, user):
    resp = login(client, user.email, password="wrong-password")
    assert resp.status_code == 200
    assert "wrong" in resp.content.decode()
    assert RateLimitEvent.objects.filter(email=user.email, ip="10.0.0.1").count() == 1
    resp = login(client, "nobody@example.org", password="wrong-password")
    assert "wrong" in resp.content.decode()


def test_unconfirmed_user_cannot_log_in_and_can_resend(client, mailoutbox, django_capture_on_commit_callbacks):
    user = make_user("new@example.org", email_confirmed=False)
    resp = login(client, user.email)
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "confirm your email address first" in body
    assert not resp.wsgi_request.user.is_authenticated
    token = resp.context["resend_token"]
    assert token
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/accounts/confirm/resend/", {"token": token}, follow=True)
    assert "We sent a new confirmation link" in resp.content.decode()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]
    # a forged or missing token sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/confirm/resend/", {"token": signing.dumps(user.pk, salt="other")})
    assert len(mailoutbox) == 1


def test_inactive_user_cannot_log_in(client):
    user = make_user(is_active=False)
    resp = login(client, user.email)
    assert resp.status_code == 200 and not resp.wsgi_request.user.is_authenticated


def test_rate_limit_refuses_even_the_right_password_from_that_address(client, settings):
    """Failures count per (account, IP): the address that guessed is locked for that account, even with the
    right password; the owner elsewhere is not (issue 8, item 8 changed this expectation)."""
    settings.LOGIN_RATE_LIMIT = 3
    victim = make_user("victim@example.org")
    for _ in range(3):
        login(client, victim.email, password="guess", ip="10.0.0.1")
    resp = login(client, victim.email, ip="10.0.0.1")
    assert resp.status_code == 200
    assert "Too many failed attempts" in resp.content.decode()
    assert not resp.wsgi_request.user.is_authenticated
    # a locked login records nothing more (the lock does not grow forever)
    assert RateLimitEvent.objects.count() == 3
    # the owner, from their own address, still logs in
    client.logout()
    assert login(client, victim.email, ip="10.0.0.9").status_code == 302


def test_rate_limit_window_expires(client, settings):
    settings.LOGIN_RATE_LIMIT = 2
    user = make_user()
    for _ in range(2):
        login(client, user.email, password="guess")
    assert "Too many" in login(client, user.email).content.decode()
    settings.LOGIN_RATE_WINDOW = 0
    assert login(client, user.email).status_code == 302


def test_successful_login_clears_failures(client, user):
    login(client, user.email, password="guess")
    assert login(client, user.email).status_code == 302
    assert RateLimitEvent.objects.filter(email=user.email).count() == 0


@pytest.mark.argon2
def test_login_activates_preferred_language(client):
    user = make_user(preferred_language="nl")
    resp = login(client, user.email)
    assert resp["Location"] == "/nl/"
    assert User.objects.get(pk=user.pk).password.startswith("argon2")


def test_client_ip_behind_a_trusted_proxy_only(rf, settings):
    from opencity.accounts.views import _client_ip

    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert _client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3")) == "10.1.2.3"
    assert _client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="garbage")) == "127.0.0.1"
    assert _client_ip(rf.get("/", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="10.1.2.3")) == "10.9.9.9"
    assert _client_ip(rf.get("/", REMOTE_ADDR="10.9.9.9")) == "10.9.9.9"


def test_rate_limit_by_forwarded_address(client, settings):
    settings.LOGIN_RATE_LIMIT = 2
    user = make_user()
    for _ in range(2):
        client.post(
            "/accounts/login/",
            {"email": "someone@example.org", "password": "guess"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="10.6.6.6",
        )
    assert RateLimitEvent.objects.filter(ip="10.6.6.6").count() == 2
    # another visitor behind the same proxy is not locked out
    resp = client.post(
        "/accounts/login/",
        {"email": user.email, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.7.7.7",
    )
    assert resp.status_code == 302
