"""Browser journeys: Playwright drives Debian's Chromium against pytest-django's live server.

Usage in a test:

    pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

    def test_journey(page, live_server, mailoutbox):
        page.goto(live_server.url + "/")
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the test itself still talks to the DB
# synchronously (building data through services), which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _no_media_url(self) -> str:
    # settings.MEDIA_URL is None (uploads are never public), but the live server wraps every request in a
    # media handler that needs a string prefix (urlparse(None) gives bytes and breaks each request).
    return "/__media-not-served__/"


from django.test import testcases as _testcases  # noqa: E402

_testcases._MediaFilesHandler.get_base_url = _no_media_url

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _chromium_path() -> str:
    path = os.environ.get("OPENCITY_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Chromium is required for browser tests: apt-get install chromium (.ci/run does it)")
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=_chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    # bypass_csp: Playwright's string predicates (wait_for_function) are evaluated with eval, which our
    # Content-Security-Policy forbids in pages; tests/browser/test_csp.py uses `csp_page`, which keeps it.
    context = browser.new_context(locale="en-GB", base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(15000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def csp_page(browser, live_server):
    """A page that enforces the site's Content-Security-Policy like a real browser (no Playwright eval)."""
    context = browser.new_context(locale="en-GB", base_url=live_server.url)
    context.set_default_timeout(15000)
    pg = context.new_page()
    yield pg
    context.close()


def login(page, email: str, password: str, otp: str | None = None) -> None:
    """Log in through the real form (and the 2FA step when the user has TOTP)."""
    page.goto("/accounts/login/")
    page.fill("input[name=username], input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form.stack button[type=submit], form button[type=submit]")
    if otp is not None:
        page.fill("input[name=otp]", otp)
        page.click("form button[type=submit]")
