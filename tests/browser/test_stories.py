"""Issue 14 journeys in a real Chromium: a visitor reads a story in Dutch, switches to French and follows the
collective; a group applies to become a host, is approved, and its first collective goes live."""

import re

import pytest

from opencity.hosting.models import Host
from opencity.stories import services as stories
from opencity.stories.models import Follow
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_collective, make_host, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_read_in_dutch_switch_to_french_and_follow(page, live_server):
    host = make_host(slug="brusselstogether")
    collective = make_collective(host, name="Repair Café Ixelles")
    admin = collective.admins.first()
    story = stories.story_create(
        collective=collective, by=admin, language="nl", title="Duizend herstellingen", body="Onze **vrijwilligers**."
    )
    stories.story_set_version(story=story, by=admin, language="fr", title="Mille réparations", body="Nos bénévoles.")
    stories.story_publish(story=story, by=admin)
    visitor = make_user("lezer@example.org")

    page.goto(f"/nl/{collective.slug}/updates")
    page.get_by_role("link", name="Duizend herstellingen").click()
    assert page.locator("article.story h1").inner_text() == "Duizend herstellingen"
    assert page.locator("article.story").get_attribute("lang") == "nl"
    page.get_by_role("link", name="Français", exact=True).click()
    page.wait_for_url(re.compile(r"/in/fr$"))
    assert page.locator("article.story h1").inner_text() == "Mille réparations"

    # Following needs an account: the visitor logs in and comes back to follow.
    page.get_by_role("button", name="Volgen per e-mail").click()
    page.wait_for_url(re.compile(r"/login/"))
    page.fill("input[name=username], input[name=email]", visitor.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(rf"/{collective.slug}/updates$"))
    page.locator("form[action$='/follow'] button").click()
    page.wait_for_load_state()
    assert Follow.objects.filter(collective=collective, user=visitor).exists()
    assert page.locator("form[action$='/follow'] input[name=action][value=unfollow]").count() == 1


def test_host_applies_is_approved_and_first_collective_goes_live(page, browser, live_server):
    make_host(slug="brusselstogether")
    founder = make_user("founder@example.org", name="Griet Founder")
    make_user("root@example.org", is_staff=True, is_superuser=True)

    login(page, founder.email, PASSWORD)
    page.goto("/hosts/start")
    page.get_by_role("link", name="Apply to become a host").click()
    page.fill("input[name=name]", "Gent Samen")
    page.fill("input[name=slug]", "gentsamen")
    page.fill("input[name=legal_name]", "Gent Samen VZW")
    page.fill("input[name=enterprise_number]", "0403.170.701")
    page.fill("input[name=iban]", "BE68 5390 0754 7034")
    page.select_option("select[name=currency]", "EUR")
    page.fill("input[name=default_host_fee_percent]", "6")
    page.check("input[name=languages][value=nl]")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/hosts/start$"))
    assert not Host.objects.filter(profile__slug="gentsamen").exists()

    admin_ctx = browser.new_context(base_url=live_server.url)
    admin_page = admin_ctx.new_page()
    login(admin_page, "root@example.org", PASSWORD)
    admin_page.goto("/hosts/requests")
    admin_page.locator("article", has_text="Gent Samen").get_by_role("button", name="Approve").click()
    admin_page.wait_for_load_state()
    admin_ctx.close()
    host = Host.objects.get(profile__slug="gentsamen")

    page.goto("/gentsamen/admin/setup")
    assert page.locator("ol.checklist li.done").count() == 1  # the bank account, from the request
    # The first collective: the founder creates it, then approves it as the new host's admin.
    page.goto("/collectives/new")
    page.fill("input[name=name]", "Buurtmoestuin Ledeberg")
    page.wait_for_function("document.querySelector('#id_slug').value === 'buurtmoestuin-ledeberg'")
    page.select_option("select[name=host]", host.profile.slug)
    page.check("input[name=languages][value=nl]")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/buurtmoestuin-ledeberg/$"))
    page.goto("/gentsamen/admin/applications")
    page.locator("article.application", has_text="Buurtmoestuin Ledeberg").get_by_role("button", name="Approve").click()
    page.get_by_role("button", name="Yes, approve").click()  # approving cannot be undone: it asks first
    page.wait_for_load_state()
    visitor = browser.new_context(base_url=live_server.url).new_page()
    assert visitor.goto("/buurtmoestuin-ledeberg/").status == 200
    page.goto("/gentsamen/admin/setup")
    assert page.locator("ol.checklist li.done").count() == 2
