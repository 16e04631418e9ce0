"""The foundation journeys in a real Chromium: a citizen starts a collective, the host approves it."""

import re

import pytest

from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_collective, make_host

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_signup_create_collective_and_host_approves(page, browser, live_server, mailoutbox, settings):
    settings.SITE_URL = live_server.url
    host = make_host(slug="brusselstogether", name="BrusselsTogether")
    host_admin = host.admins.get()

    # A citizen signs up and confirms the address with the link from the email.
    page.goto("/accounts/signup/")
    page.fill("input[name=name]", "Amina El Idrissi")
    page.fill("input[name=email]", "amina@example.org")
    page.fill("input[name=password]", "a long and lovely passphrase")
    page.click("main form.stack button[type=submit]")
    page.wait_for_load_state()
    confirm = [m for m in mailoutbox if "amina@example.org" in m.to]
    assert confirm, "no confirmation email"
    link = re.search(r"https?://\S+/accounts/confirm/\S+/", confirm[-1].body).group(0)
    page.goto(_path(link))
    page.wait_for_load_state()
    assert page.locator("header").get_by_text("Log out").count() == 1

    # She starts a collective; the address is suggested from the name while she types.
    page.goto("/collectives/new")
    page.fill("input[name=name]", "Repair Café Evere")
    page.wait_for_function("document.querySelector('#id_slug').value === 'repair-cafe-evere'")
    page.fill("textarea[name=description]", "Volunteers fix your things every month.")
    page.select_option("select[name=category]", "environment")
    page.select_option("select[name=commune]", "evere")
    page.check("input[name=languages][value=fr]")
    page.check("input[name=languages][value=nl]")
    page.fill("textarea[name=message]", "We are twelve neighbours; please host us.")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/repair-cafe-evere/$"))
    assert page.get_by_text("Awaiting approval").is_visible()
    assert any(host_admin.email in m.to for m in mailoutbox)

    # Not public yet.
    anonymous = browser.new_context(base_url=live_server.url)
    visitor = anonymous.new_page()
    assert visitor.goto("/repair-cafe-evere/").status == 404

    # She logs out; the host admin logs in and approves.
    page.click("header form button[type=submit]")
    page.wait_for_load_state()
    login(page, host_admin.email, PASSWORD)
    page.goto(f"/{host.slug}/admin/")
    page.click("text=Applications")
    card = page.locator("article.application", has_text="Repair Café Evere")
    card.get_by_role("button", name="Approve").click()
    page.get_by_role("button", name="Yes, approve").click()  # approving cannot be undone: it asks first
    page.wait_for_load_state()
    assert page.get_by_text("Repair Café Evere is approved and live.").is_visible()
    assert any("amina@example.org" in m.to and "approved" in m.subject for m in mailoutbox)

    # Anybody can now see the page.
    response = visitor.goto("/repair-cafe-evere/")
    assert response.status == 200
    assert visitor.locator("h1").inner_text() == "Repair Café Evere"
    assert visitor.get_by_text("Awaiting approval").count() == 0
    anonymous.close()


def test_french_and_arabic_home_pages(page, host):
    make_collective(host, name="Frigo Solidaire")
    page.goto("/fr/")
    html = page.locator("html")
    assert html.get_attribute("lang") == "fr" and html.get_attribute("dir") == "ltr"
    assert page.locator("h1").inner_text() == "Votre ville, en collectif ouvert"
    assert page.get_by_role("link", name="Découvrir les collectifs").is_visible()
    page.goto("/ar/")
    assert html.get_attribute("lang") == "ar" and html.get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text() == "مدينتك، كمجموعة مفتوحة"
    assert page.get_by_text("Frigo Solidaire").is_visible()
    # The layout really is mirrored: the brand sits on the right-hand side.
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] > page.viewport_size["width"] / 2
