"""Stories, insights and host applications through the API: same rules as the pages, JSON errors."""

import threading

import pytest
from django.db import connection

from opencity.stories import services
from opencity.stories.emails import deliver
from tests.conftest import make_user
from tests.stories.conftest import write


@pytest.mark.django_db
def test_create_translate_publish_list_read(client, collective, api_token):
    token = api_token(collective.admins.first())
    auth = {"HTTP_AUTHORIZATION": token}
    r = client.post(
        f"/api/v1/collectives/{collective.slug}/stories",
        {"language": "nl", "title": "Nieuws", "body": "Tekst"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201, r.json()
    sid = r.json()["id"]
    assert client.get(f"/api/v1/stories/{sid}").status_code == 404  # a draft is not public
    r = client.put(
        f"/api/v1/stories/{sid}/versions",
        {"language": "fr", "title": "Nouvelles", "body": "Texte"},
        content_type="application/json",
        **auth,
    )
    assert [v["language"] for v in r.json()["versions"]] == ["nl", "fr"]
    assert client.post(f"/api/v1/stories/{sid}/publish", {}, content_type="application/json", **auth).status_code == 200
    again = client.post(f"/api/v1/stories/{sid}/publish", {}, content_type="application/json", **auth)
    assert again.status_code == 409 and again.json()["code"] == "already_published"
    listed = client.get(f"/api/v1/collectives/{collective.slug}/stories?language=fr").json()
    assert [s["id"] for s in listed["results"]] == [sid] and listed["next"] is None
    assert client.get(f"/api/v1/stories/{sid}").json()["versions"][1]["title"] == "Nouvelles"


@pytest.mark.django_db
def test_api_refusals_are_json_4xx(client, collective, api_token):
    stranger = {"HTTP_AUTHORIZATION": api_token(make_user())}
    url = f"/api/v1/collectives/{collective.slug}/stories"
    body = {"language": "nl", "title": "x", "body": "y"}
    assert client.post(url, body, content_type="application/json").status_code == 401
    r = client.post(url, body, content_type="application/json", **stranger)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    admin = {"HTTP_AUTHORIZATION": api_token(collective.admins.first())}
    r = client.post(url, body | {"language": "de"}, content_type="application/json", **admin)
    assert r.status_code == 400 and r.json()["code"] == "language"
    assert client.get(f"{url}?cursor=forged").json()["code"] == "invalid_cursor"
    assert client.get("/api/v1/hosts/nope/insights").status_code == 404


@pytest.mark.django_db
def test_pagination_with_cursor(client, collective):
    for i in range(3):
        services.story_publish(story=write(collective, title=f"S{i}"), by=collective.admins.first())
    first = client.get(f"/api/v1/collectives/{collective.slug}/stories?limit=2").json()
    second = client.get(f"/api/v1/collectives/{collective.slug}/stories?limit=2&cursor={first['next']}").json()
    titles = [s["versions"][0]["title"] for s in first["results"] + second["results"]]
    assert titles == ["S2", "S1", "S0"] and second["next"] is None


@pytest.mark.django_db
def test_host_application_by_api(client, api_token):
    applicant = make_user()
    auth = {"HTTP_AUTHORIZATION": api_token(applicant)}
    payload = {
        "name": "Liège Ensemble",
        "slug": "liege-ensemble",
        "legal_name": "Liège Ensemble ASBL",
        "enterprise_number": "0403.170.701",
        "iban": "BE68539007547034",
        "languages": ["fr"],
    }
    bad = client.post("/api/v1/host-applications", payload | {"iban": "BE00"}, content_type="application/json", **auth)
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_iban"
    r = client.post("/api/v1/host-applications", payload, content_type="application/json", **auth)
    assert r.status_code == 201 and r.json()["status"] == "pending"
    rid = r.json()["id"]
    assert client.post(f"/api/v1/host-applications/{rid}/approve", **auth).status_code == 404
    staff = {"HTTP_AUTHORIZATION": api_token(make_user(is_superuser=True, is_staff=True))}
    done = client.post(f"/api/v1/host-applications/{rid}/approve", **staff).json()
    assert done["status"] == "approved" and done["host"] == "liege-ensemble"


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_email_once(collective, follower, mailoutbox, settings):
    """Real threads, real transactions: both workers try to deliver the same story at the same moment."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    for i in range(4):
        services.follow(collective=collective, user=make_user(f"reader{i}@example.org"), language="fr")
    story = write(collective)
    services.story_publish(story=story, by=collective.admins.first())
    barrier = threading.Barrier(2)
    sent = []

    def worker():
        try:
            barrier.wait()
            sent.append(deliver(story_id=story.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(sent) == [0, 5]
    assert sorted(m.to[0] for m in mailoutbox if "Our first harvest" in m.subject) == sorted(
        ["follower@example.org"] + [f"reader{i}@example.org" for i in range(4)]
    )
