"""Sign-up shows every error at once, and says why a password was refused."""

import pytest

from opencity.accounts.models import User

pytestmark = pytest.mark.django_db


def test_every_error_at_once_with_the_reason_for_the_password(client):
    page = client.post("/accounts/signup/", {"name": "", "email": "not-an-email", "password": "12345"}).content.decode()
    assert "This field is required." in page  # the name
    assert "Enter a valid email address." in page
    assert "This password is too short. It must contain at least 10 characters." in page
    assert "This password is too common." in page and "This password is entirely numeric." in page
    assert not User.objects.exists()


def test_password_like_the_email_is_refused_with_the_reason_in_french(client):
    page = client.post(
        "/fr/accounts/signup/",
        {"name": "Marie", "email": "marie.dupont@example.org", "password": "marie.dupont@example.org"},
    ).content.decode()
    assert "Le mot de passe est trop semblable" in page
    assert not User.objects.exists()
