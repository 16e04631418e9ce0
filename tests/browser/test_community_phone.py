"""Issue 13 pages at 390 px, in English and in Arabic (RTL): nothing scrolls sideways, for each role."""

import pytest

from tests.browser.pages import phone_walk, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_community_and_volunteering_pages_fit_a_phone(browser, live_server):
    from opencity.community import tokens
    from opencity.community.models import Member, Opportunity

    seed_demo()
    story = Opportunity.objects.get(host__profile__slug="brusselstogether", standing="story")
    other = Opportunity.objects.filter(status="open", collective__isnull=False).first()
    person = Member.objects.filter(host__profile__slug="brusselstogether").select_related("person").first().person
    data_url = tokens.your_data_url(person)
    pages = {
        None: [
            "/volunteer",
            f"/volunteer/{story.public_id}",
            f"/volunteer/{other.public_id}",
            "/people/me",
            data_url[data_url.index("/people/") :],
        ],
        "admin@brusselstogether.example": ["/brusselstogether/community", "/brusselstogether/volunteering"],
        "repair-cafe-ixelles@example.org": ["/repair-cafe-ixelles/community", "/repair-cafe-ixelles/volunteering"],
    }
    wide, checked = phone_walk(browser, live_server, pages)
    assert checked == 18
    assert wide == [], wide
