import threading

import pytest
from django.db import connection

from opencity.accounts import services
from opencity.accounts.models import User
from opencity.community.models import Person
from opencity.core.errors import Conflict, ValidationFailed
from tests.accounts.helpers import confirm_path, signup

pytestmark = pytest.mark.django_db


@pytest.mark.argon2
def test_signup_email_confirm_logs_in(client, mailoutbox, django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://opencity.example"
    with django_capture_on_commit_callbacks(execute=True):
        resp = signup(client, email="Ada@Example.org")
    assert resp.status_code == 200
    assert "Check your email" in resp.content.decode()
    user = User.objects.get()
    assert user.email == "ada@example.org"
    assert not user.email_confirmed
    assert user.password.startswith("argon2")
    assert user.preferred_language == "en"
    assert Person.objects.get(user=user).email == "ada@example.org"
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ada@example.org"]
    assert "https://opencity.example/accounts/confirm/" in mail.body

    # not logged in yet
    assert client.get("/accounts/settings/").status_code == 302
    resp = client.get(confirm_path(mail), follow=True)
    assert resp.redirect_chain[-1][0] == "/"
    assert "Your email address is confirmed" in resp.content.decode()
    assert resp.context["user"].is_authenticated and resp.context["user"].pk == user.pk
    user.refresh_from_db()
    assert user.email_confirmed

    # the link logs in only once
    client.logout()
    resp = client.get(confirm_path(mail), follow=True)
    assert not resp.context["user"].is_authenticated
    assert "already confirmed" in resp.content.decode()


def test_signup_in_french_sends_french_email(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signup(client, url="/fr/accounts/signup/", email="zoe@example.org")
    user = User.objects.get()
    assert user.preferred_language == "fr"
    assert "Bonjour" in mailoutbox[0].body
    assert "/accounts/confirm/" in mailoutbox[0].body and "/fr/accounts/confirm/" not in mailoutbox[0].body
    resp = client.get(confirm_path(mailoutbox[0]), follow=True)
    assert resp.redirect_chain[-1][0] == "/fr/"
    assert 'lang="fr"' in resp.content.decode()


def test_signup_links_existing_person(client):
    Person.objects.create(email="mo@example.org", name="Mo")
    signup(client, email="MO@example.org", name="Mohamed")
    person = Person.objects.get()
    assert person.user == User.objects.get()


def test_duplicate_email_any_case_answers_like_a_new_one(client, user, mailoutbox, django_capture_on_commit_callbacks):
    """Issue 8, item 8 changed this expectation: no "already exists" (enumeration); the owner is emailed."""
    with django_capture_on_commit_callbacks(execute=True):
        resp = signup(client, email=user.email.upper())
    assert resp.status_code == 200
    assert "Check your email" in resp.content.decode()
    assert "already exists" not in resp.content.decode()
    assert User.objects.count() == 1
    assert [m.to for m in mailoutbox] == [[user.email]]
    assert "tried to create an OpenCity account" in mailoutbox[0].body


def test_duplicate_unconfirmed_with_other_password_creates_nothing(client):
    signup(client)
    resp = signup(client, email="ADA@example.org", password="another-long-passphrase")
    assert "already exists" not in resp.content.decode() and "Check your email" in resp.content.decode()
    assert User.objects.count() == 1


def test_weak_password_and_bad_email_refused(client):
    resp = signup(client, password="12345")
    body = resp.content.decode()
    assert "too short" in body
    resp = signup(client, email="not-an-email")
    assert "valid email" in resp.content.decode()
    resp = signup(client, password="ada@example.org-x", email="ada@example.org")
    assert User.objects.count() == 0


def test_double_submit_creates_one_user(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = signup(client)
        second = signup(client)
    assert first.status_code == second.status_code == 200
    assert "Check your email" in second.content.decode()
    assert User.objects.count() == 1
    assert Person.objects.count() == 1
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_creates_one_user():
    results, errors = [], []
    barrier = threading.Barrier(2)

    def submit():
        try:
            barrier.wait()
            results.append(
                services.user_signup(name="Ada", email="ada@example.org", password="correct-horse-battery-staple")
            )
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({u.pk for u in results}) == 1
    assert User.objects.count() == 1


def test_service_errors():
    with pytest.raises(ValidationFailed):
        services.user_signup(name="", email="a@example.org", password="correct-horse-battery-staple")
    services.user_signup(name="A", email="a@example.org", password="correct-horse-battery-staple")
    with pytest.raises(Conflict) as exc:
        services.user_signup(name="A", email="A@EXAMPLE.ORG", password="something-else-entirely")
    assert exc.value.code == "email_taken"


def test_bad_and_expired_confirmation_links(client, settings, user):
    resp = client.get("/accounts/confirm/garbage/", follow=True)
    assert "not valid" in resp.content.decode()
    fresh = User.objects.create_user(email="new@example.org", password="correct-horse-battery-staple")
    token = services.confirmation_token_make(fresh)
    settings.EMAIL_CONFIRM_MAX_AGE = -1
    resp = client.get(f"/accounts/confirm/{token}/", follow=True)
    assert "expired" in resp.content.decode()
    fresh.refresh_from_db()
    assert not fresh.email_confirmed


def test_logged_in_user_is_sent_home_from_signup(client, user):
    client.force_login(user)
    assert client.get("/accounts/signup/").status_code == 302
