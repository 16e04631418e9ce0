"""NUL characters cannot be stored (PostgreSQL refuses them): refused once, for every page and endpoint."""

import json

import pytest

from opencity.core.middleware import RefuseNulCharactersMiddleware  # noqa: F401 - the mechanism under test
from opencity.hosting.models import Collective


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/collectives/?q=a%00b", "/x%00y/", "/x%00y/transactions", "/api/v1/collectives?q=%00", "/fr/collectives/?%00=1"],
)
def test_nul_in_path_or_query_is_a_clean_400(client, url):
    r = client.get(url)
    assert r.status_code == 400
    if url.startswith("/api/"):
        assert r.json()["code"] == "invalid_characters"


@pytest.mark.django_db
def test_nul_in_json_or_form_saves_nothing(client, user, host, api_token):
    body = {"name": "Bad\u0000name", "host": host.slug}
    r = client.post(
        "/api/v1/collectives", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=api_token(user)
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid_characters"
    client.force_login(user)
    r = client.post("/collectives/new", {"name": "Bad\x00name", "host": host.pk})
    assert r.status_code == 400
    assert not Collective.objects.filter(name__startswith="Bad").exists()


@pytest.mark.django_db
def test_binary_uploads_are_not_mistaken_for_text(client, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(user)
    png = SimpleUploadedFile("r.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", content_type="image/png")
    r = client.post("/collectives/new", {"name": "Fine", "file": png})
    assert r.status_code != 400
