import pytest
from django.core.management import CommandError, call_command

from opencity.accounts import services
from opencity.accounts.models import ApiToken, User
from opencity.api.auth import user_for_token
from opencity.community.models import Person
from opencity.core.errors import NotFound
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_settings_requires_login(client):
    resp = client.get("/accounts/settings/")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/?next=")


def test_edit_name_and_language(client, user):
    client.force_login(user)
    resp = client.post("/accounts/settings/", {"name": "Ada L.", "preferred_language": "fr"})
    assert resp.status_code == 302
    user.refresh_from_db()
    assert (user.name, user.preferred_language) == ("Ada L.", "fr")
    assert Person.objects.get(user=user).name == "Ada L."
    page = client.get("/accounts/settings/")
    assert page.status_code == 200 and 'lang="fr"' in page.content.decode()
    resp = client.post("/accounts/settings/", {"name": "", "preferred_language": "xx"})
    assert resp.status_code == 400
    user.refresh_from_db()
    assert user.name == "Ada L."


def test_token_create_shown_once_list_and_revoke(client, user):
    client.force_login(user)
    resp = client.post("/accounts/settings/tokens/", {"name": "my script"})
    assert resp.status_code == 302
    page = client.get("/accounts/settings/").content.decode()
    token = ApiToken.objects.get(user=user)
    raw = page.split('<code dir="ltr">oc_', 1)[1].split("<", 1)[0]
    raw = "oc_" + raw
    assert ApiToken.hash(raw) == token.digest
    assert token.digest not in page
    assert "my script" in page
    again = client.get("/accounts/settings/").content.decode()
    assert raw not in again and token.prefix in again  # shown once, listed by prefix

    assert user_for_token(raw) == user
    token.refresh_from_db()
    assert token.last_used_at is not None

    other = make_user()
    client.force_login(other)
    assert client.post(f"/accounts/settings/tokens/{token.pk}/revoke/").status_code == 302
    assert user_for_token(raw) == user  # someone else cannot revoke it
    client.force_login(user)
    client.post(f"/accounts/settings/tokens/{token.pk}/revoke/")
    client.post(f"/accounts/settings/tokens/{token.pk}/revoke/")  # twice is harmless
    assert user_for_token(raw) is None
    assert "Revoked" in client.get("/accounts/settings/").content.decode()


def test_token_form_double_submit_creates_one_token(client, user):
    client.force_login(user)
    page = client.get("/accounts/settings/").content.decode()
    key = page.split('name="request_key" value="', 1)[1].split('"', 1)[0]
    for _ in range(2):
        assert client.post("/accounts/settings/tokens/", {"name": "twice", "request_key": key}).status_code == 302
    assert ApiToken.objects.filter(user=user).count() == 1
    assert "oc_" in client.get("/accounts/settings/").content.decode().split("Create a token")[0]
    assert services.api_token_create_once(user=user, name="x", request_key=key) is None
    # a new page view gives a new key
    client.post("/accounts/settings/tokens/", {"name": "again", "request_key": key + "2"})
    assert ApiToken.objects.filter(user=user).count() == 2


def test_token_service_revoke_of_unknown_token(user):
    with pytest.raises(NotFound):
        services.api_token_revoke(user=user, token_id=999999)


def test_token_command(user, capsys):
    call_command("token", "--email", user.email.upper())
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("oc_")
    assert user_for_token(raw) == user
    token = ApiToken.objects.get(user=user)
    services.api_token_revoke(user=user, token_id=token.pk)
    assert user_for_token(raw) is None
    with pytest.raises(CommandError, match="No user"):
        call_command("token", "--email", "nobody@example.org")


def test_language_switch_is_remembered(client, user):
    client.force_login(user)
    resp = client.post("/i18n/setlang/", {"language": "ar", "next": "/collectives/"})
    assert resp.status_code == 302 and resp["Location"] == "/ar/collectives/"
    user.refresh_from_db()
    assert user.preferred_language == "ar"
    # unprefixed URLs now speak Arabic, even in a new session
    client.logout()
    client.force_login(User.objects.get(pk=user.pk))
    body = client.get("/collectives/").content.decode()
    assert 'lang="ar"' in body and 'dir="rtl"' in body
    # and back to English from an Arabic page
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/ar/collectives/"})
    assert resp["Location"] == "/collectives/"
    user.refresh_from_db()
    assert user.preferred_language == "en"
    assert 'lang="en"' in client.get("/collectives/").content.decode()


def test_language_switch_for_anonymous_changes_nothing_stored(client, user):
    resp = client.post("/i18n/setlang/", {"language": "nl", "next": "/fr/collectives/"})
    assert resp["Location"] == "/nl/collectives/"
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/fr/"})
    assert resp["Location"] == "/"
    user.refresh_from_db()
    assert user.preferred_language == ""


def test_remembered_language_does_not_touch_prefixed_or_api_urls(client):
    user = make_user(preferred_language="fr")
    client.force_login(user)
    assert 'lang="nl"' in client.get("/nl/").content.decode()
    assert 'lang="fr"' in client.get("/").content.decode()
    assert client.get("/api/openapi.json").headers.get("Content-Language", "en") == "en"
