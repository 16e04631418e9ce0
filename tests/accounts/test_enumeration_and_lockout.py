"""Issue 8, item 8: sign-up answers the same whether the email has an account or not (its owner is emailed,
in their language); sign-up is rate-limited per IP; failed logins count per (account, IP) and per IP across
accounts with a larger budget, so an attacker cannot lock a person out and one person cannot lock out a room."""

import pytest

from opencity.accounts.models import RateLimitEvent, User
from tests.accounts.helpers import signup
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _page_text(resp) -> str:
    """The visible answer, without the per-request CSRF token."""
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", resp.content.decode())


def test_signup_answers_the_same_for_a_taken_and_a_free_address(client, mailoutbox, django_capture_on_commit_callbacks):
    owner = make_user("samira@example.org", preferred_language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        taken = signup(client, email="Samira@Example.org", name="Attacker")
        free = signup(client, email="nobody@example.org", name="Attacker")
    assert taken.status_code == free.status_code == 200
    assert _page_text(taken).replace("samira@example.org", "X") == _page_text(free).replace("nobody@example.org", "X")
    assert User.objects.filter(email="samira@example.org").count() == 1
    notice = [m for m in mailoutbox if m.to == [owner.email]]
    assert len(notice) == 1
    # In the owner's language.
    assert "Quelqu’un" in notice[0].subject or "Quelqu'un" in notice[0].subject, notice[0].subject
    assert "/accounts/password/reset/" in notice[0].body


def test_a_weak_password_is_refused_the_same_way_for_a_taken_address(client):
    make_user("taken@example.org")
    taken = signup(client, email="taken@example.org", password="12345")
    free = signup(client, email="free@example.org", password="12345")
    assert "too short" in taken.content.decode() and "too short" in free.content.decode()


def test_owner_notices_are_limited(client, mailoutbox, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_RATE_LIMIT = 2
    settings.SIGNUP_RATE_LIMIT_PER_IP = 100
    owner = make_user("flood@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            signup(client, email=owner.email, url=None, name=f"N{i}")
    assert len([m for m in mailoutbox if m.to == [owner.email]]) <= 2


def test_signup_is_rate_limited_per_ip(client, settings):
    settings.SIGNUP_RATE_LIMIT_PER_IP = 3
    for i in range(3):
        assert signup(client, email=f"bot{i}@example.org").status_code == 200
    resp = client.post(
        "/accounts/signup/", {"name": "Bot", "email": "bot9@example.org", "password": PASSWORD}, REMOTE_ADDR="127.0.0.1"
    )
    assert resp.status_code == 429 and "Too many sign-ups" in resp.content.decode()
    assert not User.objects.filter(email="bot9@example.org").exists()
    # Another address is not affected.
    resp = client.post(
        "/accounts/signup/", {"name": "Ada", "email": "ada@example.org", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert resp.status_code == 200 and User.objects.filter(email="ada@example.org").exists()


def _login(client, email, password=PASSWORD, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"email": email, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_from_five_addresses_do_not_lock_the_owner_out(client):
    """The reproduction: five failures from five addresses used to lock the real owner out for 15 minutes."""
    owner = make_user("owner@example.org")
    for n in range(5):
        assert "wrong" in _login(client, owner.email, "guess", ip=f"203.0.113.{n}").content.decode()
    resp = _login(client, owner.email, ip="198.51.100.7")  # the owner, at home
    assert resp.status_code == 302


def test_failures_on_one_account_do_not_lock_others_behind_the_same_ip(client, settings):
    """The reproduction: five wrong passwords for one account at a café locked everyone at the café out."""
    settings.LOGIN_RATE_LIMIT = 5
    settings.LOGIN_RATE_LIMIT_PER_IP = 20
    forgetful, neighbour = make_user("forgetful@example.org"), make_user("neighbour@example.org")
    for _ in range(5):
        _login(client, forgetful.email, "guess", ip="192.0.2.10")
    assert "Too many failed attempts" in _login(client, forgetful.email, ip="192.0.2.10").content.decode()
    assert _login(client, neighbour.email, ip="192.0.2.10").status_code == 302


def test_the_per_ip_budget_still_stops_spraying_across_accounts(client, settings):
    settings.LOGIN_RATE_LIMIT = 5
    settings.LOGIN_RATE_LIMIT_PER_IP = 8
    victim = make_user("victim@example.org")
    for n in range(8):  # one guess each on eight accounts
        _login(client, f"someone{n}@example.org", "guess", ip="192.0.2.66")
    assert "Too many failed attempts" in _login(client, victim.email, ip="192.0.2.66").content.decode()
    assert RateLimitEvent.objects.filter(ip="192.0.2.66").count() == 8
    assert _login(client, victim.email, ip="192.0.2.67").status_code == 302


def test_the_per_ip_budget_is_larger_by_default():
    from opencity.accounts import rate_limits

    per_account, per_ip, window = rate_limits.rate_policy(RateLimitEvent.Kind.LOGIN)
    assert per_ip > per_account and window == 900
