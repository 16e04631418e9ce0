"""The payment pipeline's seams: payments never imports contributions (or events), and settlement tells a
purpose's owner once per paid / refunded / expired."""

import ast
from pathlib import Path

import pytest

import opencity
from opencity.contributions import settlement
from opencity.contributions.models import Contribution
from opencity.contributions.refunds import refund_record
from opencity.contributions.services import contribution_create_for_purpose
from opencity.payments import pipeline
from opencity.payments.pipeline import ProcessorRefund

SRC = Path(opencity.__file__).parent


def _imports(package: str) -> set[str]:
    found = set()
    for path in (SRC / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("payments", "opencity.contributions"), ("payments", "opencity.events"), ("contributions", "opencity.events")],
)
def test_no_import_upwards(package, forbidden):
    assert not [m for m in _imports(package) if m == forbidden or m.startswith(forbidden + ".")]


@pytest.fixture
def told(monkeypatch):
    calls = []
    monkeypatch.setitem(
        pipeline._purposes,
        "ticket",
        {
            pipeline.PAID: lambda c: calls.append(("paid", c.public_id)),
            pipeline.REFUNDED: lambda c, amount: calls.append(("refunded", amount)),
            pipeline.EXPIRED: lambda c: calls.append(("expired", c.public_id)),
        },
    )
    return calls


def _ticket_payment(collective, person, settings):
    settings.DEMO_MODE = True
    return contribution_create_for_purpose(
        collective=collective, person=person, amount=2000, purpose="ticket", payment_method="demo"
    )


@pytest.mark.django_db
def test_settlement_tells_the_purpose_owner_once(collective, told, settings):
    from opencity.community.services import person_find_or_create

    person = person_find_or_create(email="buyer@example.org", name="Buyer")
    c = _ticket_payment(collective, person, settings)
    for _ in range(2):  # the same settlement twice (webhook retried): told once, posted once
        settlement.contribution_record_paid(contribution=c, processor="demo", processor_fee=55)
    assert told == [("paid", c.public_id)]
    c.refresh_from_db()
    assert c.status == Contribution.Status.PAID
    assert {t.kind for t in c.journal.transfers.all()} >= {"ticket", "processor_fee"}
    for _ in range(2):
        refund_record(contribution=c, refund=ProcessorRefund(external_id="re_1", amount=500))
    assert told[1:] == [("refunded", 500)]


@pytest.mark.django_db
def test_cancelled_payment_is_told_expired(collective, told, settings):
    from opencity.community.services import person_find_or_create

    c = _ticket_payment(collective, person_find_or_create(email="b@example.org"), settings)
    settlement.contribution_mark_cancelled(contribution=c, note="session expired")
    settlement.contribution_mark_cancelled(contribution=c, note="again")
    assert told == [("expired", c.public_id)]
