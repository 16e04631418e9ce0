"""A branded event page in a real Chromium, keeping the site's Content-Security-Policy: the organiser uploads a
cover and a logo and picks an accent colour on the look page; a phone visitor (390 px, Arabic, right to left)
sees the cover and the logo loaded, the accent applied from the event's style sheet, nothing scrolls sideways,
and no policy violation is reported."""

import io

import pytest
from PIL import Image

from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_collective, make_host
from tests.events.conftest import add_type, make_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _image(path, size, colour, fmt):
    Image.new("RGB", size, colour).save(path, format=fmt)
    return str(path)


def test_branded_event_page_on_an_arabic_phone(browser, csp_page, live_server, tmp_path):
    collective = make_collective(make_host(), name="Repair Café")
    event = make_event(collective, title="مقهى الإصلاح — Repair café")
    add_type(event, name="Free", quantity=20)
    admin = collective.admins.first()

    page = csp_page
    login(page, admin.email, PASSWORD)
    page.goto(f"/{collective.slug}/events/{event.slug}/look")
    page.set_input_files("input[name=cover]", _image(tmp_path / "cover.jpg", (1800, 700), (30, 120, 200), "JPEG"))
    page.set_input_files("input[name=logo]", _image(tmp_path / "logo.png", (200, 200), (200, 30, 30), "PNG"))
    page.fill("input[name=accent_color]", "#1a4d8f")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"**/{collective.slug}/events/{event.slug}/")

    phone = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800}, locale="ar")
    visitor = phone.new_page()
    violations = []
    visitor.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    visitor.goto(f"/ar/{collective.slug}/events/{event.slug}/")
    visitor.wait_for_load_state("networkidle")
    assert visitor.locator("html").get_attribute("dir") == "rtl"
    for selector in (".event-cover", ".event-logo"):
        assert visitor.locator(selector).evaluate("img => img.complete && img.naturalWidth > 0")
    border = visitor.locator("article.event").evaluate("el => getComputedStyle(el).borderTopColor")
    assert border == "rgb(26, 77, 143)"
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 390
    assert violations == []
    shot = visitor.screenshot(full_page=False)
    assert Image.open(io.BytesIO(shot)).size == (390, 800)
    phone.close()
