"""Issue 10: at 390×844 no page scrolls sideways, in English and in Arabic, for every role; tables become
stacked rows; the signed-in header keeps its links on a phone; Contribute is near the top of a collective."""

import pytest

from tests.browser.pages import PHONE, phone_walk, seed_demo, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _overflow(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_no_page_scrolls_sideways_on_a_phone(browser, live_server):
    wide, checked = phone_walk(browser, live_server, seed_demo())
    assert checked >= 50
    assert wide == [], wide


def test_tables_stack_and_the_phone_header_keeps_the_signed_in_links(browser, live_server):
    seed_demo()
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.goto("/repair-cafe-ixelles/transactions")
    # a stacked row: each cell is a block with its column's name before it
    assert page.eval_on_selector("main table tbody tr", "tr => getComputedStyle(tr).display") == "block"
    label = page.eval_on_selector("main table td[data-label]", "td => getComputedStyle(td, '::before').content")
    assert label.strip('"') == "Date"

    # Contribute is on the first screen of a collective's page
    page.goto("/repair-cafe-ixelles/")
    box = page.locator(".profile-cta a.button").first.bounding_box()
    assert box is not None and box["y"] + box["height"] < PHONE["height"]

    sign_in(page, "admin@brusselstogether.example")
    page.goto("/repair-cafe-ixelles/")
    page.click("header .user-menu summary")
    menu = page.locator("header .user-menu .menu-panel")
    for href in [
        "/accounts/settings/",
        "/contributions/mine",
        "/expenses/mine",
        "/collectives/new",
        "/brusselstogether/admin/",
        "/brusselstogether/admin/applications",
    ]:
        link = menu.locator(f"a[href='{href}']")
        assert link.count() == 1 and link.is_visible(), href
        assert link.bounding_box()["x"] >= 0 and link.bounding_box()["x"] + 10 < PHONE["width"]
    assert _overflow(page)[0] <= PHONE["width"]
    context.close()
