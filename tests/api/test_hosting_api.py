"""The hosting API: public reads, token-authenticated writes, every refusal a clean 4xx JSON."""

import json

import pytest

from opencity.hosting.models import Collective, HostApplication
from tests.conftest import make_collective, make_host, make_user

pytestmark = pytest.mark.django_db


def _json(client, method, url, body=None, token=None, raw=None, content_type="application/json"):
    kwargs = {}
    if token:
        kwargs["HTTP_AUTHORIZATION"] = token
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    fn = getattr(client, method)
    if data is None:
        return fn(url, **kwargs)
    return fn(url, data=data, content_type=content_type, **kwargs)


def _assert_error(resp, status, code=None):
    assert resp.status_code == status, resp.content
    body = resp.json()
    assert set(body) >= {"code", "message"} and body["message"]
    if code:
        assert body["code"] == code, body
    return body


def test_host_public_profile_has_totals_and_no_private_data(client, host):
    host.address = "Rue Secrète 1"
    host.save()
    resp = client.get(f"/api/v1/hosts/{host.slug}")
    assert resp.status_code == 200
    body = resp.json()
    assert body["slug"] == host.slug and body["currency"] == "EUR"
    assert body["totals"]["total_held"] == {"value": 0, "currency": "EUR"}
    assert isinstance(body["totals"]["collectives_count"], int)
    text = resp.content.decode()
    assert host.iban not in text and "iban" not in body and "Secrète" not in text and "@" not in text
    _assert_error(client.get("/api/v1/hosts/nope"), 404, "not_found")


def test_collective_detail_money_and_privacy(client, collective):
    resp = client.get(f"/api/v1/collectives/{collective.slug}")
    assert resp.status_code == 200
    body = resp.json()
    for key in ("balance", "total_raised", "total_spent", "yearly_budget_estimate"):
        assert body[key] == {"value": 0, "currency": "EUR"}
    assert "@" not in resp.content.decode()
    assert body["host"] == collective.host.slug and body["status"] == "active"


def test_pending_collective_is_hidden_except_from_its_admins(client, host, api_token):
    pending = make_collective(host, active=False)
    url = f"/api/v1/collectives/{pending.slug}"
    _assert_error(client.get(url), 404, "not_found")
    _assert_error(_json(client, "get", url, token=api_token(make_user())), 404)
    assert _json(client, "get", url, token=api_token(pending.admins.first())).status_code == 200
    assert _json(client, "get", url, token=api_token(host.admins.first())).status_code == 200
    _assert_error(_json(client, "get", url, token="Bearer oc_wrong"), 401, "unauthenticated")


def test_list_is_cursor_paginated_and_filtered(client, host):
    made = [make_collective(host, name=f"Garden {i}", category="food", languages=["fr"]) for i in range(5)]
    make_collective(host, name="Bike repair", category="mobility", languages=["nl"])
    make_collective(host, name="Hidden pending", active=False)
    seen, cursor = [], None
    while True:
        url = "/api/v1/collectives?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).json()
        seen += [c["slug"] for c in body["results"]]
        cursor = body["next"]
        if not cursor:
            break
    assert len(seen) == 6 and len(set(seen)) == 6 and "hidden-pending" not in " ".join(seen)
    food = client.get("/api/v1/collectives?category=food").json()["results"]
    assert sorted(c["slug"] for c in food) == sorted(c.slug for c in made)
    assert [c["name"] for c in client.get("/api/v1/collectives?language=nl").json()["results"]] == ["Bike repair"]
    assert len(client.get("/api/v1/collectives?q=garden").json()["results"]) == 5
    assert client.get(f"/api/v1/collectives?host={host.slug}&commune=region").json()["results"]
    _assert_error(client.get("/api/v1/collectives?category=nonsense"), 400, "invalid_filter")
    _assert_error(client.get("/api/v1/collectives?cursor=%%%"), 400, "invalid_cursor")
    _assert_error(client.get("/api/v1/collectives?limit=abc"), 422, "validation_error")


def test_create_collective_with_token(client, host, api_token, mailoutbox, django_capture_on_commit_callbacks):
    user = make_user()
    body = {
        "name": "Repair Café Jette",
        "description": "We fix things.",
        "category": "environment",
        "commune": "jette",
        "languages": ["fr", "nl"],
        "message": "Please host us",
    }
    with django_capture_on_commit_callbacks(execute=True):
        resp = _json(client, "post", "/api/v1/collectives", body, token=api_token(user))
    assert resp.status_code == 201, resp.content
    out = resp.json()
    assert out["slug"] == "repair-cafe-jette" and out["status"] == "pending" and out["host"] == host.slug
    collective = Collective.objects.get(slug="repair-cafe-jette")
    assert list(collective.admins.all()) == [user]
    assert collective.applications.get().message == "Please host us"
    assert [m.to for m in mailoutbox] == [[host.admins.first().email]]
    # Retrying the same request returns the same collective and creates nothing new.
    again = _json(client, "post", "/api/v1/collectives", {**body, "slug": "repair-cafe-jette"}, token=api_token(user))
    assert again.status_code == 201 and again.json()["slug"] == "repair-cafe-jette"
    assert Collective.objects.filter(name="Repair Café Jette").count() == 1
    assert HostApplication.objects.filter(collective=collective).count() == 1


def test_create_requires_token_and_confirmed_email(client, host, api_token):
    _assert_error(_json(client, "post", "/api/v1/collectives", {"name": "X"}), 401, "unauthenticated")
    unconfirmed = make_user(email_confirmed=False)
    _assert_error(
        _json(client, "post", "/api/v1/collectives", {"name": "X"}, token=api_token(unconfirmed)),
        403,
        "email_not_confirmed",
    )
    assert not Collective.objects.filter(name="X").exists()


def test_create_needs_host_when_several(client, host, api_token):
    other = make_host()
    token = api_token(make_user())
    _assert_error(_json(client, "post", "/api/v1/collectives", {"name": "Y"}, token=token), 400, "host_required")
    resp = _json(client, "post", "/api/v1/collectives", {"name": "Y", "host": other.slug}, token=token)
    assert resp.status_code == 201 and resp.json()["host"] == other.slug
    _assert_error(_json(client, "post", "/api/v1/collectives", {"name": "Z", "host": "nope"}, token=token), 404)


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("api", "reserved_slug"),
        ("ADMIN", "reserved_slug"),
        ("static", "reserved_slug"),
        ("Taken", "slug_taken"),
        ("-bad-", "invalid_slug"),
        ("a b", "invalid_slug"),
    ],
)
def test_create_refuses_bad_slugs(client, host, api_token, slug, code):
    make_collective(host, slug="taken")
    before = Collective.objects.count()
    resp = _json(client, "post", "/api/v1/collectives", {"name": "Bad", "slug": slug}, token=api_token(make_user()))
    body = _assert_error(resp, 400, code)
    assert body["field"] == "slug"
    assert Collective.objects.count() == before


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ('{"name": "Broken"', 400),  # malformed JSON
        ("[1, 2, 3]", 422),  # not an object
        ('{"name": 12, "languages": "fr"}', 422),  # wrong types
        ('{"name": "Ok", "languages": ["xx"]}', 422),  # unknown language
        ('{"name": "Ok", "category": "weather"}', 422),  # unknown category
        ('{"name": "Ok", "owner": "me"}', 422),  # unknown field
        ('{"name": ""}', 422),  # empty name
        ("null", 422),
        ('{"name": "' + "x" * 500 + '"}', 422),  # too long
    ],
)
def test_create_bad_payloads_are_clean_4xx(client, host, api_token, raw, status):
    before = Collective.objects.count()
    resp = _json(client, "post", "/api/v1/collectives", raw=raw, token=api_token(make_user()))
    _assert_error(resp, status)
    assert Collective.objects.count() == before


def test_oversized_body_is_413(client, host, api_token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    raw = json.dumps({"name": "Big", "message": "x" * 5000})
    resp = _json(client, "post", "/api/v1/collectives", raw=raw, token=api_token(make_user()))
    _assert_error(resp, 413, "payload_too_large")
    assert not Collective.objects.filter(name="Big").exists()


def test_wrong_content_type_is_clean(client, host, api_token):
    resp = _json(
        client,
        "post",
        "/api/v1/collectives",
        raw="name=x",
        token=api_token(make_user()),
        content_type="application/x-www-form-urlencoded",
    )
    assert 400 <= resp.status_code < 500
    assert "code" in resp.json()


def test_patch_collective(client, collective, api_token):
    token = api_token(collective.admins.first())
    resp = _json(
        client,
        "patch",
        f"/api/v1/collectives/{collective.slug}",
        {"description": "New words", "languages": ["ar", "fr"], "long_description": "## Hi"},
        token=token,
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["description"] == "New words" and resp.json()["languages"] == ["fr", "ar"]
    collective.refresh_from_db()
    assert collective.long_description == "## Hi"
    _assert_error(_json(client, "patch", f"/api/v1/collectives/{collective.slug}", {"host": "x"}, token=token), 422)
    _assert_error(
        _json(client, "patch", f"/api/v1/collectives/{collective.slug}", {"slug": "x"}, token=token),
        400,
        "invalid_slug",
    )
    _assert_error(_json(client, "patch", f"/api/v1/collectives/{collective.slug}", {"name": None}, token=token), 400)
    _assert_error(
        _json(client, "patch", f"/api/v1/collectives/{collective.slug}", {"website": "not a url"}, token=token), 400
    )
    collective.refresh_from_db()
    assert collective.website == "" and collective.name != ""


def test_patch_collective_slug_and_the_old_address_redirects(client, host, collective, api_token):
    token = api_token(collective.admins.first())
    old = collective.slug
    make_collective(host, slug="taken-already")
    for slug, code in (("api", "reserved_slug"), ("Taken-Already", "slug_taken"), ("no_underscore", "invalid_slug")):
        resp = _json(client, "patch", f"/api/v1/collectives/{old}", {"slug": slug}, token=token)
        _assert_error(resp, 400, code)
    _assert_error(_json(client, "patch", f"/api/v1/collectives/{old}", {"slug": None}, token=token), 400)
    assert Collective.objects.get(pk=collective.pk).slug == old
    resp = _json(client, "patch", f"/api/v1/collectives/{old}", {"slug": "New-Address"}, token=token)
    assert resp.status_code == 200, resp.content
    assert resp.json()["slug"] == "new-address" and resp.json()["url"].endswith("/new-address/")
    resp = client.get(f"/api/v1/collectives/{old}")
    assert resp.status_code == 301 and resp["Location"] == "/api/v1/collectives/new-address"
    assert client.get(f"/{old}/").status_code == 301
    # another collective's admin cannot take the old address
    other = make_collective(host)
    other_token = api_token(other.admins.first())
    resp = _json(client, "patch", f"/api/v1/collectives/{other.slug}", {"slug": old}, token=other_token)
    _assert_error(resp, 400, "slug_taken")
    # a stranger cannot rename it
    resp = _json(client, "patch", "/api/v1/collectives/new-address", {"slug": "mine"}, token=api_token(make_user()))
    _assert_error(resp, 403)


def test_applications_list_approve_reject(client, host, api_token, mailoutbox, django_capture_on_commit_callbacks):
    admin_token = api_token(host.admins.first())
    a = make_collective(host, active=False, name="Alpha")
    b = make_collective(host, active=False, name="Beta")
    body = _json(client, "get", f"/api/v1/hosts/{host.slug}/applications", token=admin_token).json()
    ids = {r["collective"]["slug"]: r["id"] for r in body["results"]}
    assert set(ids) == {a.slug, b.slug} and all(i.startswith("app_") for i in ids.values())
    assert "@" not in json.dumps(body)
    with django_capture_on_commit_callbacks(execute=True):
        resp = _json(client, "post", f"/api/v1/applications/{ids[a.slug]}/approve", token=admin_token)
    assert resp.status_code == 200 and resp.json()["status"] == "approved"
    assert resp.json()["collective_status"] == "active"
    assert client.get(f"/api/v1/collectives/{a.slug}").status_code == 200
    _assert_error(_json(client, "post", f"/api/v1/applications/{ids[a.slug]}/approve", token=admin_token), 409)
    _assert_error(_json(client, "post", f"/api/v1/applications/{ids[b.slug]}/reject", {}, token=admin_token), 422)
    _assert_error(
        _json(client, "post", f"/api/v1/applications/{ids[b.slug]}/reject", {"reason": "   "}, token=admin_token),
        400,
        "reason_required",
    )
    resp = _json(
        client, "post", f"/api/v1/applications/{ids[b.slug]}/reject", {"reason": "Out of scope"}, token=admin_token
    )
    assert resp.status_code == 200 and resp.json()["reason"] == "Out of scope"
    assert Collective.objects.get(pk=b.pk).status == "rejected"
    everything = _json(client, "get", f"/api/v1/hosts/{host.slug}/applications?status=all", token=admin_token).json()
    assert {r["status"] for r in everything["results"]} >= {"approved", "rejected"}
    _assert_error(_json(client, "post", "/api/v1/applications/app_nope/approve", token=admin_token), 404)


def test_patch_host_settings(client, host, api_token):
    token = api_token(host.admins.first())
    url = f"/api/v1/hosts/{host.slug}"
    resp = _json(
        client,
        "patch",
        url,
        {"iban": "BE71 0961 2345 6769", "default_host_fee_percent": "6.5", "expense_two_approvals_above": 100000},
        token=token,
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["iban"] == "BE71096123456769" and body["default_host_fee_percent"] == "6.50"
    assert body["expense_two_approvals_above"] == 100000
    assert "iban" not in client.get(url).json()  # the public answer stays private-free
    assert host.admins.first().email not in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"iban": "BE00 1234"}, 400, "invalid_iban"),
        ({"iban": "BE71096123456768"}, 400, "invalid_iban"),
        ({"enterprise_number": "0123.456.789"}, 400, "invalid_enterprise_number"),
        ({"bic": "XYZ"}, 400, "invalid_bic"),
        ({"default_host_fee_percent": 75}, 422, "validation_error"),
        ({"default_host_fee_percent": "8.123"}, 422, "validation_error"),
        ({"membership_grace_days": "many"}, 422, "validation_error"),
        ({"legal_name": None}, 400, "null_not_allowed"),
        ({"currency": "USD"}, 422, "validation_error"),
    ],
)
def test_patch_host_refuses_bad_input(client, host, api_token, body, status, code):
    before = (host.iban, host.enterprise_number, host.bic, host.default_host_fee_percent, host.currency)
    resp = _json(client, "patch", f"/api/v1/hosts/{host.slug}", body, token=api_token(host.admins.first()))
    _assert_error(resp, status, code)
    host.refresh_from_db()
    assert (host.iban, host.enterprise_number, host.bic, host.default_host_fee_percent, host.currency) == before


def test_patch_host_permissions(client, host, collective, api_token):
    url = f"/api/v1/hosts/{host.slug}"
    other_host_admin = make_host().admins.first()
    _assert_error(_json(client, "patch", url, {"legal_name": "Mine"}), 401)
    for user in (make_user(), collective.admins.first(), other_host_admin):
        _assert_error(_json(client, "patch", url, {"legal_name": "Mine"}, token=api_token(user)), 403, "forbidden")
    host.refresh_from_db()
    assert host.legal_name != "Mine"


def test_nul_characters_are_refused_cleanly(client, host, collective, api_token):
    """PostgreSQL cannot store NUL; it must be a 4xx, never a database error."""
    token = api_token(make_user())
    _assert_error(
        _json(client, "post", "/api/v1/collectives", {"name": "Bad\u0000name"}, token=token), 400, "invalid_characters"
    )
    _assert_error(client.get("/api/v1/collectives", {"q": "a\x00b"}), 400, "invalid_characters")
    _assert_error(client.get("/api/v1/collectives/ab%00cd"), 400, "invalid_characters")
    _assert_error(client.get("/api/v1/hosts/ab%00cd"), 400, "invalid_characters")
    _assert_error(_json(client, "post", "/api/v1/applications/app_%00/approve", token=token), 400, "invalid_characters")
    assert client.get("/collectives/", {"q": "a\x00b"}).status_code == 400
    assert Collective.objects.filter(name__startswith="Bad").count() == 0


def test_list_query_count_is_constant(client, host, django_assert_max_num_queries):
    for i in range(3):
        make_collective(host, name=f"A{i}")
    with django_assert_max_num_queries(3) as small:
        assert len(client.get("/api/v1/collectives?limit=100").json()["results"]) == 3
    for i in range(25):
        make_collective(host, name=f"B{i}")
    with django_assert_max_num_queries(3) as large:
        assert len(client.get("/api/v1/collectives?limit=100").json()["results"]) == 28
    assert len(small.captured_queries) == len(large.captured_queries)
