"""A collective's address (slug) can change: same checks as at creation, the old page redirects (301), and
the old address stays the collective's."""

import pytest

from opencity.core.errors import PermissionDenied, ValidationFailed
from opencity.hosting import services, slugs
from opencity.hosting.models import Collective, CollectiveSlugHistory
from tests.conftest import make_collective, make_user

pytestmark = pytest.mark.django_db


def _edit_data(collective, **overrides):
    data = {
        "name": collective.name,
        "slug": collective.slug,
        "description": collective.description,
        "long_description": collective.long_description,
        "category": collective.category,
        "commune": collective.commune,
        "languages": collective.languages,
        "website": collective.website,
    }
    data.update(overrides)
    return data


def test_admin_changes_the_address_on_the_edit_page(client, collective, collective_admin):
    old = collective.slug
    client.force_login(collective_admin)
    page = client.get(f"/{old}/edit").content.decode()
    assert 'name="slug"' in page and f'value="{old}"' in page
    resp = client.post(f"/{old}/edit", _edit_data(collective, slug="Repair-Cafe-Jette"))
    assert resp.status_code == 302 and resp["Location"] == "/repair-cafe-jette/"
    collective.refresh_from_db()
    assert collective.slug == "repair-cafe-jette"
    history = CollectiveSlugHistory.objects.get()
    assert (history.slug, history.collective, history.changed_by) == (old, collective, collective_admin)
    assert client.get("/repair-cafe-jette/").status_code == 200
    client.logout()
    resp = client.get(f"/{old}/")
    assert resp.status_code == 301 and resp["Location"] == "/repair-cafe-jette/"
    resp = client.get(f"/fr/{old.upper()}/")
    assert resp.status_code == 301 and resp["Location"] == "/fr/repair-cafe-jette/"


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("admin", "reserved word"),
        ("Taken", "already taken"),
        ("no spaces", "lowercase letters"),
        ("x", "lowercase letters"),
    ],
)
def test_edit_page_refuses_a_bad_address(client, host, collective, collective_admin, slug, message):
    make_collective(host, slug="taken")
    old = collective.slug
    client.force_login(collective_admin)
    resp = client.post(f"/{old}/edit", _edit_data(collective, slug=slug, name="Renamed"))
    assert resp.status_code == 200
    assert message in resp.content.decode()
    collective.refresh_from_db()
    assert collective.slug == old and collective.name != "Renamed"
    assert not CollectiveSlugHistory.objects.exists()


def test_an_empty_address_keeps_the_current_one(client, collective, collective_admin):
    old = collective.slug
    client.force_login(collective_admin)
    resp = client.post(f"/{old}/edit", _edit_data(collective, slug="", name="Renamed"))
    assert resp.status_code == 302 and resp["Location"] == f"/{old}/"
    assert Collective.objects.get(pk=collective.pk).slug == old
    with pytest.raises(ValidationFailed) as exc:
        services.collective_update(collective=collective, by=collective_admin, slug="  ")
    assert exc.value.code == "slug_required"


def test_saving_the_same_address_changes_nothing(collective, collective_admin):
    services.collective_update(collective=collective, by=collective_admin, slug=collective.slug.upper(), name="X")
    assert Collective.objects.get(pk=collective.pk).name == "X"
    assert not CollectiveSlugHistory.objects.exists()


def test_old_addresses_stay_reserved_for_their_collective(host, collective, collective_admin):
    old = collective.slug
    services.collective_update(collective=collective, by=collective_admin, slug="second")
    services.collective_update(collective=collective, by=collective_admin, slug="third")
    other = make_collective(host)
    for slug in (old, old.upper(), "second"):
        with pytest.raises(ValidationFailed) as exc:
            services.collective_update(collective=other, by=other.admins.get(), slug=slug)
        assert exc.value.code == "slug_taken"
        assert slugs.slug_problem(slug)
        assert not slugs.slug_is_free(slug)
    with pytest.raises(ValidationFailed):
        services.collective_create(user=make_user(), host=host, name="Copycat", slug="second")
    assert slugs.slug_suggest("Second") == "second-2"
    # the collective itself may go back to an old address
    services.collective_update(collective=collective, by=collective_admin, slug=old)
    assert set(CollectiveSlugHistory.objects.values_list("slug", flat=True)) == {"second", "third"}
    assert Collective.objects.get(pk=collective.pk).slug == old


def test_only_its_admins_change_the_address(client, collective):
    stranger = make_user()
    with pytest.raises(PermissionDenied):
        services.collective_update(collective=collective, by=stranger, slug="hijacked")
    client.force_login(stranger)
    assert client.post(f"/{collective.slug}/edit", _edit_data(collective, slug="hijacked")).status_code == 403
    assert not Collective.objects.filter(slug="hijacked").exists()


def test_pending_collective_old_address_does_not_leak(client, host):
    pending = make_collective(host, active=False)
    old = pending.slug
    services.collective_update(collective=pending, by=pending.admins.get(), slug="secret-new")
    assert client.get(f"/{old}/").status_code == 404
    client.force_login(pending.admins.get())
    assert client.get(f"/{old}/")["Location"] == "/secret-new/"


def test_unknown_address_is_still_404(client):
    assert client.get("/never-existed/").status_code == 404
