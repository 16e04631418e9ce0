"""Plain-text emails are not HTML-escaped: "Seán O'Brien & Zoë" stays as typed, in every template."""

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

import opencity
from opencity.hosting import services as hosting
from opencity.hosting import team
from tests.conftest import PASSWORD, make_collective, make_host, make_user

pytestmark = pytest.mark.django_db

TRICKY = "Seán O'Brien & Zoë <3"
ESCAPED = ("&amp;", "&#x27;", "&#39;", "&lt;", "&quot;")

TEMPLATES = sorted(Path(opencity.__file__).parent.glob("*/templates/*/email/*.txt"))


def _plain(text: str) -> str:
    for bad in ESCAPED:
        assert bad not in text, (bad, text)
    return text


def test_every_plain_text_template_is_written_unescaped():
    assert len(TEMPLATES) >= 12
    for path in TEMPLATES:
        source = path.read_text()
        assert "{% autoescape off %}" in source.split("\n", 1)[0], path
        assert source.rstrip().endswith("{% endautoescape %}"), path


def test_account_emails(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", {"name": TRICKY, "email": "sean@example.org", "password": PASSWORD})
    assert TRICKY in _plain(mailoutbox[-1].body)
    make_user("reset@example.org", name=TRICKY)
    client.post("/accounts/password-reset/", {"email": "reset@example.org"})
    assert TRICKY in _plain(mailoutbox[-1].body) and _plain(mailoutbox[-1].subject)


def test_hosting_emails(mailoutbox, django_capture_on_commit_callbacks):
    organiser = make_user(name=TRICKY)
    host = make_host(admin=make_user(name=TRICKY))
    with django_capture_on_commit_callbacks(execute=True):
        collective = make_collective(host, admin=organiser, name=TRICKY, description=TRICKY)
        refused = hosting.collective_create(user=organiser, host=host, name=f"{TRICKY} 2")
        hosting.application_reject(application=refused.applications.get(), by=host.admins.first(), reason=TRICKY)
        team.invitation_create(collective=collective, by=organiser, email="friend@example.org")
    for mail in mailoutbox:
        assert TRICKY in _plain(mail.body), mail.subject
        _plain(mail.subject)
    assert len(mailoutbox) >= 4


def test_contribution_emails(settings, mailoutbox, django_capture_on_commit_callbacks):
    from tests.contributions.helpers import give

    settings.DEMO_MODE = True
    collective = make_collective(make_host(), name=TRICKY)
    with django_capture_on_commit_callbacks(execute=True):
        c = give(collective, name=TRICKY, email="giver@example.org")
    assert TRICKY in _plain(mailoutbox[-1].body)
    recurring = SimpleNamespace(person=SimpleNamespace(name=TRICKY), amount=1000, currency="EUR")
    for name, extra in [
        ("cancelled", {}),
        ("past_due", {"grace_days": 7, "cancel_url": "https://example.org/x"}),
        ("refund_blocked", {"contribution": c, "event_type": "charge.refunded", "SITE_URL": ""}),
    ]:
        body = render_to_string(
            f"contributions/email/{name}.txt", {"recurring": recurring, "collective": collective, **extra}
        )
        assert TRICKY in _plain(body), name


def test_expense_emails(mailoutbox, django_capture_on_commit_callbacks):
    from tests.expenses.conftest import submit

    host = make_host()
    collective = make_collective(host, admin=make_user(name=TRICKY))
    with django_capture_on_commit_callbacks(execute=True):
        submit(collective, make_user(name=TRICKY), title=TRICKY)
    assert mailoutbox
    for mail in mailoutbox:
        assert TRICKY in _plain(mail.body) and TRICKY in _plain(mail.subject)
