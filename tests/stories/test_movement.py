"""Start your own movement: apply (checked enterprise number and IBAN), approval by an installation admin,
the new host's checklist, and its first collective going live."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opencity.core.errors import PermissionDenied, ValidationFailed
from opencity.hosting.models import Host
from opencity.movement import services
from opencity.movement.models import HostRequest
from tests.conftest import enable_2fa, make_collective, make_user
from tests.stories.test_stories import PNG

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Gent Samen",
    "slug": "gentsamen",
    "legal_name": "Gent Samen VZW",
    "enterprise_number": "0403.170.701",
    "iban": "BE68 5390 0754 7034",
    "currency": "EUR",
    "default_host_fee_percent": "6.5",
    "languages": ["nl", "fr"],
}


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("enterprise_number", "0403.170.702", "invalid_enterprise_number"),
        ("iban", "BE68 5390 0754 7035", "invalid_iban"),
        ("currency", "XXX", "invalid_currency"),
        ("default_host_fee_percent", "70", "invalid_fee"),
        ("languages", ["de"], "invalid_languages"),
        ("slug", "admin", "invalid_slug"),
    ],
)
def test_bad_request_is_refused_and_nothing_saved(field, value, code):
    with pytest.raises(ValidationFailed) as exc:
        services.host_request_submit(by=make_user(), **(GOOD | {field: value}))
    assert exc.value.code == code
    assert not HostRequest.objects.exists()


def test_logo_is_checked_by_content():
    with pytest.raises(ValidationFailed):
        services.host_request_submit(by=make_user(), logo=SimpleUploadedFile("logo.png", b"<svg onload=x>"), **GOOD)
    req = services.host_request_submit(by=make_user(), logo=SimpleUploadedFile("logo.svg", PNG), **GOOD)
    assert req.logo.name.endswith(".png")


def test_apply_approve_checklist_first_collective(client, settings):
    settings.STRIPE_SECRET_KEY = ""
    applicant = make_user("founder@example.org")
    client.force_login(applicant)
    r = client.post("/hosts/apply", GOOD)
    assert r.status_code == 302, r.content.decode()[:3000]
    req = HostRequest.objects.get()
    assert req.status == "pending" and req.enterprise_number and req.iban == "BE68539007547034"
    with pytest.raises(PermissionDenied):
        services.host_request_approve(request=req, by=applicant)
    admin = make_user("root@example.org", is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert "Gent Samen" in client.get("/hosts/requests").content.decode()
    client.post(f"/hosts/requests/{req.public_id}/approve")
    host = Host.objects.get(profile__slug="gentsamen")
    assert host.default_host_fee_percent == 6.5 and sorted(host.languages) == ["fr", "nl"]
    client.force_login(applicant)
    steps = {s["key"]: s["done"] for s in client.get("/gentsamen/admin/setup").context["steps"]}
    assert steps == {"bank": True, "2fa": False, "collective": False, "stripe": False}
    enable_2fa(applicant)
    first = make_collective(host)
    assert client.get(f"/{first.slug}/").status_code == 200
    steps = {s["key"]: s["done"] for s in services.setup_checklist(host, applicant)}
    assert steps["collective"] and steps["2fa"]
    # Decided once: a second approval changes nothing.
    with pytest.raises(Exception, match="already decided"):
        services.host_request_approve(request=req, by=admin)
    assert Host.objects.filter(profile__slug="gentsamen").count() == 1
