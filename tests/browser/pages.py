"""Every page type of the demo, signed out and signed in as each role, for the phone and accessibility checks."""

from __future__ import annotations

from django.core.management import call_command

from opencity.expenses.models import Expense

DEMO_PASSWORD = "opencity-demo-2026"  # printed by `opencity demo`
LANGUAGES = ["en", "fr", "nl", "ar"]


def seed_demo() -> dict[str | None, list[str]]:
    """Seed the demo host (through the real services) and return {login email or None: [paths]}."""
    with open("/dev/null", "w") as quiet:
        call_command("demo", stdout=quiet)
    expense = Expense.objects.filter(collective__slug="repair-cafe-ixelles").exclude(status="draft").first()
    own = Expense.objects.filter(submitted_by__email="member@example.org").exclude(status="draft").first()
    expense_path = f"/repair-cafe-ixelles/expenses/{expense.public_id}" if expense else "/repair-cafe-ixelles/expenses"
    pages = {
        None: [
            "/",
            "/collectives/",
            "/brusselstogether/",
            "/brusselstogether/transactions",
            "/repair-cafe-ixelles/",
            "/repair-cafe-ixelles/transactions",
            "/repair-cafe-ixelles/expenses",
            expense_path,
            "/repair-cafe-ixelles/contribute",
            "/accounts/login/",
            "/accounts/signup/",
        ],
        "member@example.org": [
            "/accounts/settings/",
            "/contributions/mine",
            "/expenses/mine",
            "/collectives/new",
            "/repair-cafe-ixelles/expenses/new",
        ],
        "repair-cafe-ixelles@example.org": [
            "/repair-cafe-ixelles/",
            "/repair-cafe-ixelles/edit",
            "/repair-cafe-ixelles/edit/look",
            "/repair-cafe-ixelles/edit/translations",
            "/repair-cafe-ixelles/admins",
            "/repair-cafe-ixelles/contributions",
            expense_path,
        ],
        "admin@brusselstogether.example": [
            "/brusselstogether/",
            "/brusselstogether/transactions",
            "/brusselstogether/admin/",
            "/brusselstogether/admin/applications",
            "/brusselstogether/admin/settings",
            "/brusselstogether/admin/expenses",
            "/brusselstogether/admin/ledger",
            "/brusselstogether/admin/ledger/balances",
        ],
    }
    if own is not None:
        pages["member@example.org"].append(f"/{own.collective.slug}/expenses/{own.public_id}")
    pages[None] += _visibility_paths()
    pages["member@example.org"] += ["/hosts/apply"]
    return pages


def _visibility_paths() -> list[str]:
    """Issue 14's public pages: the stories across the city, a collective's updates, a story, the insights, and
    how another city starts (the host page with its stories is already in the list)."""
    from opencity.stories.selectors import live_stories

    story = live_stories(host=None, user=None).select_related("collective").first()
    assert story is not None, "the demo seeds published stories"
    return [
        "/brusselstogether/stories",
        f"/{story.collective.slug}/updates",
        f"/{story.collective.slug}/updates/{story.public_id}",
        "/brusselstogether/insights",
        "/brusselstogether/insights?period=all",
        "/hosts/start",
        "/hosts/apply",
    ]


def localized(path: str, lang: str) -> str:
    return path if lang == "en" else f"/{lang}{path}"


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username], input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


PHONE = {"width": 390, "height": 844}


def phone_walk(browser, live_server, pages: dict[str | None, list[str]]) -> tuple[list, int]:
    """Open every path of `pages` (signed in as its key, anonymous for None) at 390 px in English and in
    Arabic; each must answer and carry the language's direction. Returns the pages wider than the phone
    (email, language, path, scroll width) and how many pages were looked at."""
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
    return wide, checked
