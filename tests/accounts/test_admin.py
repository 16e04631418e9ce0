import pytest

from opencity.accounts import services
from opencity.accounts.models import ApiToken, RateLimitEvent, User
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    admin = User.objects.create_superuser(email="root@example.org", password="correct-horse-battery-staple")
    client.force_login(admin)
    return client


@pytest.mark.argon2
def test_user_admin_never_shows_the_hash_or_secret(staff_client):
    user = make_user("someone@example.org")
    services.totp_begin(user=user)
    user.refresh_from_db()
    for url in ["/admin/accounts/user/", f"/admin/accounts/user/{user.pk}/change/", "/admin/accounts/user/?q=someone"]:
        resp = staff_client.get(url)
        body = resp.content.decode()
        assert resp.status_code == 200, url
        assert user.password not in body and "argon2" not in body and user.totp_secret not in body
    assert staff_client.get("/admin/accounts/user/add/").status_code == 200
    resp = staff_client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {"email": "someone@example.org", "name": "Someone Else", "preferred_language": "fr", "is_active": "on"},
    )
    assert resp.status_code == 302
    user.refresh_from_db()
    assert user.name == "Someone Else" and user.password.startswith("argon2")


@pytest.mark.argon2
def test_admin_add_user(staff_client):
    resp = staff_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "added@example.org",
            "name": "Added",
            "usable_password": "true",
            "password1": "correct-horse-battery-staple",
            "password2": "correct-horse-battery-staple",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert User.objects.get(email="added@example.org").password.startswith("argon2")


def test_token_and_attempt_admin_read_only(staff_client):
    user = make_user()
    services.api_token_create(user=user, name="x")
    token = ApiToken.objects.get()
    RateLimitEvent.objects.create(email="a@example.org", ip="10.0.0.1")
    body = staff_client.get("/admin/accounts/apitoken/").content.decode()
    assert token.prefix in body and token.digest not in body
    body = staff_client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert token.digest not in body
    assert staff_client.get("/admin/accounts/apitoken/add/").status_code == 403
    resp = staff_client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert resp.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert staff_client.get("/admin/accounts/ratelimitevent/").status_code == 200
