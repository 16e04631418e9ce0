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
