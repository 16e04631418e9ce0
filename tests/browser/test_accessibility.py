"""Issue 10: axe-core (bundled by axe-playwright-python) finds no serious or critical violation on any page
type, in the four languages, signed out and signed in; the focus ring has at least 3:1 contrast."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.pages import LANGUAGES, localized, seed_demo, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _rgb(css: str) -> tuple[int, int, int]:
    parts = css[css.index("(") + 1 : css.index(")")].replace(",", " ").split()
    return int(float(parts[0])), int(float(parts[1])), int(float(parts[2]))


def test_no_serious_or_critical_axe_violation_on_any_page(browser, live_server):
    pages = seed_demo()
    axe = Axe()
    problems = []
    runs = 0
    for email, paths in pages.items():
        context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
        page = context.new_page()
        if email:
            sign_in(page, email)
        for lang in LANGUAGES:
            for path in paths:
                page.goto(localized(path, lang))
                result = axe.run(page)
                runs += 1
                for violation in result.response["violations"]:
                    if violation["impact"] in ("serious", "critical"):
                        target = violation["nodes"][0]["target"]
                        problems.append((email, lang, path, violation["id"], violation["impact"], target))
        context.close()
    assert runs >= 100
    assert problems == [], problems


def test_the_focus_ring_stands_out_three_to_one(browser, live_server):
    seed_demo()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    page = context.new_page()
    page.goto("/repair-cafe-ixelles/")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand link in the header
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.outlineColor, getComputedStyle(document.body).backgroundColor,"
        " getComputedStyle(document.activeElement.closest('header')).backgroundColor]; }"
    )
    outline_style, width, color, body_bg, header_bg = style
    assert outline_style == "solid" and float(width.rstrip("px")) >= 2
    assert contrast(_rgb(color), _rgb(header_bg)) >= 3
    assert contrast(_rgb(color), _rgb(body_bg)) >= 3
    context.close()
