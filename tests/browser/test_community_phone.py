"""Issue 13 pages at 390 px, in English and in Arabic (RTL): nothing scrolls sideways, for each role."""

import pytest

from tests.browser.pages import localized, seed_demo, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


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
    wide, checked = [], 0
    for email, paths in pages.items():
        context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="en-GB")
        page = context.new_page()
        if email:
            sign_in(page, email)
        for lang in ("en", "ar"):
            for path in paths:
                response = page.goto(localized(path, lang))
                assert response.status < 400, (path, lang, response.status)
                assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
                scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
                checked += 1
                if scroll_width > inner_width:
                    wide.append((email, lang, path, scroll_width))
        context.close()
    assert checked == 18
    assert wide == [], wide
