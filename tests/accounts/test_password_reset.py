import re

import pytest

from opencity.accounts.models import RateLimitEvent, User
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

LINK_RE = re.compile(r"https?://[^/\s]+(/(?:[a-z]{2}/)?accounts/password/reset/[^/\s]+/[^/\s]+/)")


@pytest.mark.argon2
def test_password_reset_end_to_end(client, mailoutbox, settings):
    settings.SITE_URL = "https://opencity.example"
    user = make_user("reset@example.org", email_confirmed=False)
    RateLimitEvent.objects.create(email=user.email, ip="10.0.0.1")
    login_page = client.get("/accounts/login/").content.decode()
    assert "/accounts/password/reset/" in login_page

    resp = client.post("/accounts/password/reset/", {"email": "RESET@example.org"})
    assert resp["Location"] == "/accounts/password/reset/sent/"
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "https://opencity.example/accounts/password/reset/" in body
    path = LINK_RE.search(body).group(1)

    resp = client.get(path, follow=True)
    assert resp.status_code == 200 and "Choose a new password" in resp.content.decode()
    set_url = resp.redirect_chain[-1][0]
    resp = client.post(set_url, {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"})
    assert resp["Location"] == "/accounts/password/reset/complete/"

    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")
    assert user.password.startswith("argon2")
    assert user.email_confirmed  # the reset proved the address
    assert not RateLimitEvent.objects.filter(kind="login").exists()
    resp = client.post("/accounts/login/", {"email": user.email, "password": "a-brand-new-passphrase"})
    assert resp.status_code == 302

    client.logout()
    assert "not valid any more" in client.get(path, follow=True).content.decode()


def test_reset_email_in_the_users_language(client, mailoutbox):
    make_user("nl@example.org", preferred_language="nl")
    client.post("/accounts/password/reset/", {"email": "nl@example.org"})
    assert "wachtwoord" in mailoutbox[0].subject.lower()
    assert "/nl/accounts/password/reset/" in mailoutbox[0].body


def test_reset_for_unknown_email_sends_nothing_and_says_the_same(client, mailoutbox):
    resp = client.post("/accounts/password/reset/", {"email": "ghost@example.org"}, follow=True)
    assert "If an account uses this address" in resp.content.decode()
    assert mailoutbox == []
    assert User.objects.count() == 0


def test_password_change_from_settings(client, user):
    from tests.conftest import PASSWORD

    client.force_login(user)
    resp = client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "yet-another-passphrase",
            "new_password2": "yet-another-passphrase",
        },
    )
    assert resp.status_code == 302
    assert client.get(resp["Location"]).status_code == 302  # done → settings
    user.refresh_from_db()
    assert user.check_password("yet-another-passphrase")
