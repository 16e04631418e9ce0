"""Issue 8 item 3: a guest's email proves nothing. An anonymous gift with someone else's email never publishes
under their name, never joins their total, contribution list or annual statement, until the email's owner
confirms it with the signed "this was me" link of the receipt (in their language)."""

import json
import re

import pytest

from opencity.community.services import person_find_or_create
from opencity.contributions import selectors
from opencity.contributions.models import Contribution
from tests.conftest import PASSWORD, make_user
from tests.contributions.helpers import give

pytestmark = pytest.mark.django_db


@pytest.fixture
def samira(collective):
    """Samira has an account and gave €50 herself, signed in: her name is on the wall."""
    user = make_user("samira@example.org", name="Samira Haddad", preferred_language="fr")
    person_find_or_create(email=user.email, name="Samira Haddad", user=user, language="fr")
    give(collective, amount=5000, user=user, name="Samira Haddad")
    return user


def _attack(client, collective, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/{collective.slug}/contribute",
            {
                "amount": "10",
                "payment_method": "demo",
                "email": "SAMIRA@example.org",
                "name": "Attacker",
                "public_message": "Samira supports this!",
            },
        )
    assert r.status_code == 302
    return Contribution.objects.exclude(created_by__isnull=False).get()


def test_attack_as_written_publishes_nothing_under_her_name(
    client, collective, samira, mailoutbox, django_capture_on_commit_callbacks
):
    attack = _attack(client, collective, mailoutbox, django_capture_on_commit_callbacks)
    assert attack.status == "paid" and attack.person == samira.person and not attack.identity_verified

    wall = {r.name: r.total for r in selectors.collective_contributors(collective)}
    assert wall == {"Samira Haddad": 5000, "Attacker": 1000}  # not 6000 under her name
    assert [m["name"] for m in selectors.collective_messages(collective)] == ["Attacker"]
    page = client.get(f"/{collective.slug}/").content.decode()
    assert "Samira supports this!" in page and "Attacker" in page
    api = client.get(f"/api/v1/collectives/{collective.slug}/contributors").json()["results"]
    assert {r["name"]: r["total"]["value"] for r in api} == wall
    streamed = client.get(f"/{collective.slug}/transactions?format=json")
    transactions = json.loads(b"".join(streamed.streaming_content))["results"]
    assert sorted(r["counterparty"] for r in transactions if r["kind"] == "contribution") == [
        "Attacker",
        "Samira Haddad",
    ]
    samira.person.refresh_from_db()
    assert samira.person.name == "Samira Haddad"  # the typed name never replaces (or fills) a stored one

    # Her own history, her total and her annual statement stay hers.
    assert list(selectors.contributions_of_user(samira)) == [Contribution.objects.get(created_by=samira)]
    year = attack.paid_at.year
    host = collective.host
    assert [c.amount for c in selectors.statement_contributions(person=samira.person, host=host, year=year)] == [5000]
    client.login(email=samira.email, password=PASSWORD)
    assert client.get(f"/contributions/{attack.public_id}/receipt.pdf").status_code == 404
    assert "Attacker" not in client.get("/contributions/mine").content.decode()


def test_the_owner_confirms_with_the_link_of_the_receipt_in_her_language(
    client, collective, samira, mailoutbox, django_capture_on_commit_callbacks
):
    attack = _attack(client, collective, mailoutbox, django_capture_on_commit_callbacks)
    receipt = next(m for m in mailoutbox if attack.receipt_number in m.subject)
    assert receipt.to == ["samira@example.org"] and "reçu" in receipt.subject.lower()
    link = re.search(r"https?://\S+/confirm/\S+", receipt.body).group(0)
    path = "/" + link.split("/", 3)[3]
    assert path.startswith("/fr/contributions/")

    assert client.get(path).status_code == 200  # a mail scanner's GET confirms nothing
    attack.refresh_from_db()
    assert not attack.identity_verified
    assert (
        client.post(path.replace(attack.public_id, Contribution.objects.get(created_by=samira).public_id)).status_code
        == 404
    )
    assert client.post(path[:-3] + "xyz").status_code == 404  # a forged signature

    assert client.post(path).status_code == 200
    assert client.post(path).status_code == 200  # twice is once
    attack.refresh_from_db()
    assert attack.identity_verified
    assert attack.events.filter(note__startswith="identity confirmed").count() == 1
    wall = {r.name: r.total for r in selectors.collective_contributors(collective)}
    assert wall == {"Samira Haddad": 6000}
    year = attack.paid_at.year
    assert len(selectors.statement_contributions(person=samira.person, host=collective.host, year=year)) == 2


def test_a_signed_in_user_giving_as_themselves_is_verified(collective, samira):
    c = Contribution.objects.get(created_by=samira)
    assert c.identity_verified and c.contributor_name == "Samira Haddad"


def test_a_new_email_creates_its_person_with_the_typed_name_but_stays_unverified(collective):
    c = give(collective, email="new@example.org", name="Newcomer")
    assert c.person.name == "Newcomer" and not c.identity_verified
    assert [r.name for r in selectors.collective_contributors(collective)] == ["Newcomer"]
    # The typed name never fills an existing person's missing name either.
    bare = person_find_or_create(email="bare@example.org")
    give(collective, email="bare@example.org", name="Impostor")
    bare.refresh_from_db()
    assert bare.name == ""
