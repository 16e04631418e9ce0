"""Issue 8 item 10: a pending collective cannot hoard addresses (its old ones reserve nothing; only an active
collective's old addresses stay reserved), and addresses change at most RENAMES_PER_DAY times a day."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from opencity.core.errors import ValidationFailed
from opencity.hosting import services, slugs
from opencity.hosting.models import Collective, CollectiveRename
from tests.conftest import make_collective, make_user

pytestmark = pytest.mark.django_db


def test_a_strangers_pending_collective_reserves_no_old_address(host):
    stranger = make_user()
    pending = services.collective_create(user=stranger, host=host, name="Hoard", slug="repair-cafe")
    for slug in ("bike-kitchen", "food-bank"):
        services.collective_update(collective=pending, by=stranger, slug=slug)
    # The names it went through are free again for a real initiative; only its current one is taken.
    for slug in ("repair-cafe", "bike-kitchen"):
        assert slugs.slug_is_free(slug)
    real = services.collective_create(user=make_user(), host=host, name="Repair Café", slug="repair-cafe")
    assert real.slug == "repair-cafe"
    assert not slugs.slug_is_free("food-bank")
    # …and a real collective can move on from it, its own old address now reserved (it is active).
    real.status = Collective.Status.ACTIVE
    real.save(update_fields=["status"])
    services.collective_update(collective=real, by=real.admins.get(), slug="repair-cafe-ixelles")
    assert not slugs.slug_is_free("repair-cafe")


def test_an_active_collectives_old_address_stays_reserved(host, collective, collective_admin):
    old = collective.slug
    services.collective_update(collective=collective, by=collective_admin, slug="new-home")
    assert not slugs.slug_is_free(old)


@pytest.mark.parametrize("language", ["en", "fr", "nl", "ar"])
def test_renames_are_limited_per_day_with_a_translated_error(host, language):
    collective = make_collective(host)
    admin = collective.admins.get()
    for n in range(slugs.RENAMES_PER_DAY):
        services.collective_update(collective=collective, by=admin, slug=f"name-{n}")
    with translation.override(language), pytest.raises(ValidationFailed) as exc:
        services.collective_update(collective=collective, by=admin, slug="one-too-many")
    assert exc.value.code == "too_many_renames" and exc.value.field == "slug"
    if language != "en":
        assert "today" not in str(exc.value)  # translated, not the English text
    assert Collective.objects.get(pk=collective.pk).slug == f"name-{slugs.RENAMES_PER_DAY - 1}"
    # A day later it may change again.
    CollectiveRename.objects.update(at=timezone.now() - dt.timedelta(days=1, minutes=1))
    services.collective_update(collective=collective, by=admin, slug="one-too-many")
