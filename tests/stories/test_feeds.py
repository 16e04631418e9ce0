"""Atom feeds validate with a feed parser and carry the right language."""

import feedparser
import pytest

from opencity.stories import services
from tests.stories.conftest import write

pytestmark = pytest.mark.django_db


def _publish(collective, **kw):
    story = write(collective, **kw)
    return services.story_publish(story=story, by=collective.admins.first())


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_collective_feed_per_language(client, collective, lang):
    story = _publish(collective, language="nl", title="Onze oogst")
    services.story_set_version(
        story=story, by=collective.admins.first(), language="fr", title="Notre récolte", body="x"
    )
    _publish(collective, language="nl", title="Alleen Nederlands")
    r = client.get(f"/{collective.slug}/updates.atom?lang={lang}")
    assert r["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.language == lang
    titles = [e.title for e in feed.entries]
    assert titles == (["Alleen Nederlands", "Onze oogst"] if lang == "nl" else ["Notre récolte"])
    assert all(f"/in/{lang}" in e.link for e in feed.entries)


def test_host_feed_lists_all_collectives(client, host, collective):
    from tests.conftest import make_collective

    other = make_collective(host)
    _publish(collective, title="From one")
    _publish(other, title="From another")
    feed = feedparser.parse(client.get(f"/{host.slug}/updates.atom").content)
    assert not feed.bozo
    assert {e.title for e in feed.entries} == {"From one", "From another"}
    assert client.get(f"/{host.slug}/updates.atom?lang=xx").status_code == 404
