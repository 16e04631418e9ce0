"""After erasure no page, API answer, export or email of the platform contains the person's name or email."""

import re

import pytest
from django.core import mail

from opencity.community import tokens, volunteering
from opencity.community.models import Person, RetainedName
from opencity.contributions.models import Contribution
from tests.community.helpers import consent, register
from tests.conftest import make_collective, make_user
from tests.contributions.helpers import give

pytestmark = pytest.mark.django_db

NAME, EMAIL = "Zénobie Quartzfeld", "zenobie.quartzfeld@example.org"
HREF = re.compile(r'href="(/[^"#]*)"')


def _crawl(client, starts, limit=250) -> dict[str, bytes]:
    seen, queue, bodies = set(), list(starts), {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen or "logout" in url or url.startswith(("/admin/", "/static/", "/i18n/")):
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            continue
        body = b"".join(response.streaming_content) if response.streaming else response.content
        bodies[url] = body
        if "html" in response.get("Content-Type", ""):
            for link in HREF.findall(body.decode(errors="replace")):
                queue.append(link.replace("&amp;", "&"))
    return bodies


def _leaks(bodies: dict[str, bytes]) -> list[str]:
    needles = [NAME.lower(), EMAIL.lower(), "quartzfeld"]
    return [url for url, body in bodies.items() if any(n in body.decode(errors="replace").lower() for n in needles)]


def _registered(collective, user):
    """A ticket for an event of `collective`, ordered through the events services by the signed-in user."""
    import datetime as dt

    from django.utils import timezone

    from opencity.events import orders, services

    start = timezone.now() + dt.timedelta(days=5)
    admin = collective.admins.first()
    event = services.event_create(
        collective=collective, by=admin, title="Soup night", starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    free = services.ticket_type_create(event=event, by=admin, name="Free", price=0, quantity=10)
    request = orders.OrderRequest(attendees=[orders.AttendeeIn(ticket_type=free.public_id, name=NAME, email=EMAIL)])
    orders.order_create(event=event, data=request, user=user)
    return event


def test_erasure_leaves_no_trace(client, host, collective, check_ledger, settings):
    settings.COMMUNITY_MAIL_PAUSE = 0
    other = make_collective(host)
    user = make_user(EMAIL, name=NAME)
    person = user.person
    paid = give(collective, email=EMAIL, user=user, amount=4200)
    assert paid.receipt_number
    register(person, other, "evt_e")
    consent(person, host)
    opportunity = volunteering.opportunity_create(
        host=host, collective=collective, by=None, title="Paint", skills=["Painting"]
    )
    volunteering.signup_create(opportunity=opportunity, name=NAME, email=EMAIL, user=user)
    event = _registered(other, user)
    admin = host.admins.first()
    client.force_login(admin)
    starts = [
        "/",
        f"/{host.slug}/",
        f"/{collective.slug}/",
        f"/{other.slug}/",
        f"/{host.slug}/community",
        f"/{host.slug}/community.csv",
        f"/{collective.slug}/community",
        f"/{collective.slug}/transactions",
        f"/{collective.slug}/contributions",
        f"/{collective.slug}/volunteering",
        "/volunteer",
        f"/api/v1/collectives/{collective.slug}/transactions",
        f"/api/v1/collectives/{collective.slug}/contributions",
        f"/api/v1/hosts/{host.slug}/people",
        f"/contributions/{paid.public_id}/receipt.pdf",
        f"/{other.slug}/events/{event.slug}/",
        f"/{other.slug}/events/{event.slug}/attendees",
        f"/{other.slug}/events/{event.slug}/attendees.csv",
        f"/{other.slug}/events/{event.slug}/door",
        f"/volunteer/{opportunity.public_id}",
        "/events/",
    ]
    before = _crawl(client, starts)
    assert _leaks(before), "the crawl should find the person before erasure"

    data_url = tokens.your_data_url(person)
    path = data_url[data_url.index("/people/") :]
    client.logout()
    assert NAME in client.get(path).content.decode()
    assert client.post(path + "/erase", {"confirm": "erase"}).status_code == 200
    assert client.get(path).status_code == 404  # the link died with the data

    person.refresh_from_db()
    assert person.anonymised_at and person.name == "" and EMAIL not in person.email
    assert not Person.objects.filter(email__iexact=EMAIL).exists()
    # the ledger keeps the amount, under "Anonymous contributor"
    check_ledger()
    assert Contribution.objects.get(pk=paid.pk).amount == 4200
    # the name on the issued receipt is kept for the law, for host admins only
    retained = RetainedName.objects.get(host=host, receipt_number=paid.receipt_number)
    assert retained.name == NAME

    mail.outbox.clear()
    client.force_login(admin)
    client.post(f"/{host.slug}/community/mail", {"subject": "Hello", "body": "News"})
    after = _crawl(client, starts)
    client.logout()
    after.update({f"anon:{k}": v for k, v in _crawl(client, ["/", f"/{collective.slug}/", "/volunteer"]).items()})
    leaks = [u for u in _leaks(after) if u != f"/{host.slug}/community"]
    assert leaks == []
    # the host admins' community page shows the retained receipt name, in its own section only
    client.force_login(admin)
    body = client.get(f"/{host.slug}/community").content.decode()
    assert body.count(NAME) == 1 and "Names kept for the law" in body
    assert "Anonymous contributor" in client.get(f"/{collective.slug}/transactions").content.decode()
    assert all(EMAIL not in m.to and NAME not in m.body for m in mail.outbox)
