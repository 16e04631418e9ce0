"""No private data on any public page, CSV, JSON or API answer of the seeded demo host."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from schwifty import IBAN

from opencity.accounts.models import User
from opencity.community.models import Person
from opencity.expenses.models import Expense
from opencity.hosting.models import Collective, Host
from opencity.stories.models import Story

IBAN_LIKE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")


def _body(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


def _valid_ibans(text: str) -> list[str]:
    found = []
    for candidate in IBAN_LIKE.findall(text):
        try:
            IBAN(candidate.replace(" ", ""))
        except ValueError:
            continue
        found.append(candidate)
    return found


@pytest.mark.django_db
def test_public_pages_and_api_show_no_email_or_iban(client):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    host = Host.objects.get(profile__slug="brusselstogether")
    emails = set(User.objects.values_list("email", flat=True)) | set(Person.objects.values_list("email", flat=True))
    emails.discard("")
    ibans = {host.iban, str(IBAN(host.iban).formatted)} if host.iban else set()
    assert emails and ibans

    slugs = [host.slug] + list(
        Collective.objects.filter(host=host, status="active").exclude(pk=host.profile_id).values_list("slug", flat=True)
    )
    urls = ["/", "/collectives/", f"/api/v1/hosts/{host.slug}", "/api/v1/collectives"]
    # Stories, feeds, insights and their CSV / JSON (issue 14).
    urls += [
        f"/{host.slug}/stories",
        f"/{host.slug}/updates.atom",
        f"/{host.slug}/updates.atom?lang=nl",
        f"/{host.slug}/insights",
        f"/{host.slug}/insights?period=all",
        f"/{host.slug}/insights?format=csv&period=all",
        f"/api/v1/hosts/{host.slug}/insights?period=all",
        f"/api/v1/collectives/{host.slug}/stories",
        "/hosts/start",
    ]
    urls += [
        f"/{s.collective.slug}/updates/{s.public_id}"
        for s in Story.objects.filter(status="published", publish_at__lte=timezone.now())[:1]
    ]
    story_pages = [
        f"/{s.collective.slug}/updates/{s.public_id}/in/{v.language}"
        for s in Story.objects.select_related("collective").prefetch_related("versions")
        for v in s.versions.all()
    ]
    # Expense pages in every state; drafts and the like are not public (404) and are skipped.
    optional = [
        f"/{e.collective.slug}/expenses/{e.public_id}"
        for e in Expense.objects.filter(collective__host=host).select_related("collective")
    ]
    optional += story_pages
    for slug in slugs:
        urls += [
            f"/{slug}/",
            f"/{slug}/transactions",
            f"/{slug}/transactions?format=csv",
            f"/{slug}/transactions?format=json",
            f"/api/v1/collectives/{slug}",
            f"/api/v1/collectives/{slug}/transactions?limit=100",
        ]
        urls += [
            f"/{slug}/expenses",
            f"/{slug}/contribute",
            f"/api/v1/collectives/{slug}/expenses",
            f"/api/v1/collectives/{slug}/contributors",
            f"/api/v1/collectives/{slug}/tiers",
            f"/{slug}/updates.atom",
            f"/api/v1/collectives/{slug}/stories",
        ]
    checked = 0
    for url in urls + optional:
        response = client.get(url)
        if url in optional and response.status_code != 200:
            continue
        assert response.status_code == 200, url
        text = _body(response)
        checked += 1
        lowered = text.lower()
        leaked = [e for e in emails if e.lower() in lowered]
        assert not leaked, f"{url} shows {leaked}"
        assert not [i for i in ibans if i in text], f"{url} shows the host's IBAN"
        assert not _valid_ibans(text), f"{url} shows an IBAN: {_valid_ibans(text)}"
    assert checked >= len(urls) + 5  # every required page, and public expense pages in several states
    # The seeded history is really there: the statements were not empty.
    assert "contribution" in _body(client.get(f"/{slugs[1]}/transactions?format=csv"))
