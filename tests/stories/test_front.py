"""The city's front page: each block links on; blocks of apps not installed are absent."""

import pytest
from django.apps import apps

from opencity.contributions.services import tier_create
from opencity.stories import services
from tests.conftest import make_collective, make_host
from tests.contributions.helpers import give
from tests.stories.conftest import write

pytestmark = pytest.mark.django_db


def _tier(collective, goal):
    return tier_create(
        collective=collective,
        by=collective.admins.first(),
        name="New roof",
        type="donation",
        amount_type="flexible",
        goal=goal,
    )


def test_one_host_front_page_has_every_block(client, host, collective):
    tier = _tier(collective, goal=10_000)
    give(collective, amount=8_000, email="a@example.org", tier=tier.public_id)
    story = write(collective, title="Roof news")
    services.story_publish(story=story, by=collective.admins.first())
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Needing money now" in html and collective.name in html and 'value="80"' in html
    assert "Roof news" in html and f"/{host.slug}/stories" in html
    assert "The city’s money at a glance" in html and f"/{host.slug}/insights" in html
    assert "/hosts/start" in html
    assert ("Coming events" in html) == apps.is_installed("opencity.events")
    fr = client.get("/fr/").content.decode()
    assert "Besoin d’argent maintenant" in fr
    # The host's own page shows the same blocks.
    assert "Needing money now" in client.get(f"/{host.slug}/").content.decode()


def test_goal_reached_is_not_needing_money(client, host, collective):
    tier = _tier(collective, goal=1_000)
    give(collective, amount=2_000, email="a@example.org", tier=tier.public_id)
    assert "New roof" not in client.get("/").content.decode()


def test_two_hosts_front_page_lists_hosts(client, host):
    other = make_host()
    make_collective(other)
    html = client.get("/").content.decode()
    assert host.profile.name in html and other.profile.name in html


def test_coming_events_block_shows_this_hosts_future_published_events_and_links_on(client, host, collective):
    from opencity.events.models import Event
    from tests.events.conftest import make_event

    soon = make_event(collective, days=3, title="Soup evening")
    make_event(collective, days=-3, title="Last week's picnic")  # over
    cancelled = make_event(collective, days=5, title="Cancelled concert")
    Event.objects.filter(pk=cancelled.pk).update(status=Event.Status.CANCELLED)  # no cancel service yet
    make_event(make_collective(make_host()), days=2, title="Elsewhere fair")  # another host's
    # Two hosts now: `/` lists them, and each host's page is its city page.
    html = client.get(f"/{host.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    block = html[html.index('id="city-events"') : html.index('id="city-stories"')]
    assert "Soup evening" in block and f'href="/{collective.slug}/events/{soon.slug}/"' in block
    for absent in ("Last week", "Cancelled concert", "Elsewhere fair"):
        assert absent not in block
    fr = client.get(f"/fr/{host.slug}/").content.decode()
    block = fr[fr.index('id="city-events"') : fr.index('id="city-stories"')]
    assert "Événements à venir" in block and f'href="/fr/{collective.slug}/events/{soon.slug}/"' in block
    from django.utils import formats, timezone, translation

    with translation.override("fr"):
        day = formats.date_format(timezone.localtime(soon.starts_at), "DATETIME_FORMAT")
    assert day in block  # the date is written the French way


def test_volunteers_block_shows_open_calls_of_this_host_and_links_on(client, host, collective):
    import datetime as dt

    from django.utils import timezone

    from opencity.community import volunteering
    from opencity.community.models import Opportunity

    admin = host.admins.first()
    today = timezone.localdate()
    dated = volunteering.opportunity_create(
        host=host, by=admin, collective=collective, title="Stewards for the fair", date=today + dt.timedelta(days=4)
    )
    ongoing = volunteering.opportunity_create(host=host, by=admin, title="Translators, any time")
    volunteering.opportunity_create(
        host=host, by=admin, title="Yesterday's clean-up", date=today - dt.timedelta(days=1)
    )
    closed = volunteering.opportunity_create(host=host, by=admin, title="Already found someone")
    Opportunity.objects.filter(pk=closed.pk).update(status=Opportunity.Status.CLOSED)
    other = make_host()
    volunteering.opportunity_create(host=other, by=other.admins.first(), title="Another city's call")
    html = client.get(f"/{host.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    block = html[html.index('id="city-volunteers"') : html.index('id="city-start"')]
    assert block.index("Stewards for the fair") < block.index("Translators, any time")  # soonest first
    assert f'href="/volunteer/{dated.public_id}"' in block and f'href="/volunteer/{ongoing.public_id}"' in block
    for absent in ("Yesterday", "Already found", "Another city"):
        assert absent not in block
    fr = client.get(f"/fr/{host.slug}/").content.decode()
    block = fr[fr.index('id="city-volunteers"') : fr.index('id="city-start"')]
    assert "Bénévoles recherchés" in block and f'href="/fr/volunteer/{dated.public_id}"' in block
    assert f'href="/fr/{collective.slug}/"' in block


def test_the_hosts_page_leads_with_the_city_blocks(client, host, collective):
    """On a phone the host's own contributors wall is long: the city's blocks come before it."""
    give(host.profile, amount=500, email="wall@example.org")
    html = client.get(f"/{host.slug}/").content.decode()
    assert html.index('class="city-blocks"') < html.index("Contributors</h3>")
