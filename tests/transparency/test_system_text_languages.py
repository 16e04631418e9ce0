"""Every kind of transaction, built through the services, reads in the visitor's language on the public
page, its CSV and JSON and in the API: no English system sentence and no internal id; what people typed
(a tier name, an expense title, a note) stays as written."""

import re

import pytest
from django.utils import translation

from opencity.contributions import services as contributions
from opencity.contributions.disputes import ProcessorDispute, dispute_record
from opencity.contributions.refunds import ProcessorRefund, refund_record
from opencity.expenses import payouts
from opencity.ledger import services as ledger
from opencity.ledger.models import Journal, Transfer, TransferKind
from opencity.ledger.phrases import describe_transfer
from tests.conftest import enable_2fa
from tests.contributions.helpers import give
from tests.expenses.conftest import World, approved, fund

pytestmark = pytest.mark.django_db

# The sentences the system used to store in English (and would show if a page forgot to translate).
ENGLISH = [
    "Contribution:",
    "Refund",
    "Partial refund",
    "Host fee",
    "Processor fee",
    "processor fee",
    "Dispute",
    "Expense:",
    "Bank fee",
    "payout file",
    "Payout",
    "Reversal",
    "Payment failed",
    "returned",
    "Added funds",
    "Transfer between collectives",
    "Anonymous",
]
# Internal ids: payout files, end-to-end ids, contributions, expenses, processor refund and dispute ids.
INTERNAL = re.compile(r"\b(pay|sct|con|exp|itm|rec|pm|per|re|du|dp)_[A-Za-z0-9]{4,}|OC-[A-Z0-9]{4,}")

TYPED = ["Ami du jardin", "Peinture pour la fresque", "Argent de départ", "Outils partagés"]


@pytest.fixture
def world(settings):
    settings.DEMO_MODE = True  # the demo card pays the gifts
    w = World()  # the collective already holds added funds ("Seed money", typed by a host admin)
    c = w.collective
    tier = contributions.tier_create(collective=c, by=w.collective_admin, name=TYPED[0])
    paid = [give(c, amount=2500, email=f"g{n}@example.org", tier=tier.slug) for n in range(3)]
    give(c, amount=1000, email="plain@example.org")
    refund_record(contribution=paid[0], refund=ProcessorRefund(external_id="re_FULLREFUND1", amount=2500))
    refund_record(contribution=paid[1], refund=ProcessorRefund(external_id="re_PARTREFUND1", amount=1000), reason="")
    dispute_record(
        contribution=paid[2],
        dispute=ProcessorDispute(
            external_id="du_DISPUTE0001", status="needs_response", amount=2500, withdrawn=2500, withdrawal_fee=1500
        ),
    )
    dispute_record(
        contribution=paid[2],
        dispute=ProcessorDispute(
            external_id="du_DISPUTE0001",
            status="won",
            amount=2500,
            withdrawn=2500,
            withdrawal_fee=1500,
            reinstated=2500,
            fee_returned=1500,
        ),
    )
    # An expense paid by hand with a bank fee.
    e = approved(c, w.submitter, 3000, title=TYPED[1])
    payouts.expense_mark_paid(expense=e, by=w.host_admin, bank_fee=50)
    # A payout file: one line paid (with the file's bank fee), one refused by the bank (reversed).
    approved(c, w.submitter, 2000, title="Affiches")
    failing = approved(c, w.submitter, 1500, title="Colle")
    batch = payouts.payout_batch_create(host=w.host, by=w.host_admin)
    payouts.payout_batch_mark_sent(batch=batch, by=w.host_admin)
    payouts.expense_mark_error(expense=failing, by=w.host_admin)
    payouts.payout_batch_confirm_paid(batch=batch, by=w.host_admin, bank_fee=100)
    # Added funds reversed with a typed reason, and a gift between collectives.
    extra = ledger.added_funds_record(
        collective=c, amount=700, source="Sponsor", description=TYPED[2], charge_host_fee=True, by=w.host_admin
    )
    ledger.added_funds_reverse(journal=extra, reason="Saisi deux fois", by=w.host_admin)
    fund(w.other_collective, 5000)
    ledger.collective_transfer(
        from_collective=w.other_collective,
        to_collective=c,
        amount=400,
        description=TYPED[3],
        by=enable_2fa(w.other_collective_admin),  # a gift between collectives moves money by hand
    )
    return w


def _kinds_on(collective) -> set[tuple[str, str]]:
    funds = ledger.funds_account(collective)
    qs = Transfer.objects.filter(debit_account=funds) | Transfer.objects.filter(credit_account=funds)
    return {(t.kind, bool(t.reversal_of_id)) for t in qs}


def test_every_kind_is_on_the_page(world):
    kinds = {k for k, _r in _kinds_on(world.collective)}
    assert kinds >= {
        TransferKind.CONTRIBUTION,
        TransferKind.HOST_FEE,
        TransferKind.PROCESSOR_FEE,
        TransferKind.REFUND,
        TransferKind.EXPENSE,
        TransferKind.BANK_FEE,
        TransferKind.ADDED_FUNDS,
        TransferKind.COLLECTIVE_TRANSFER,
    }
    assert any(r for _k, r in _kinds_on(world.collective))  # reversals too
    assert Journal.objects.filter(facts__what="payout_file_bank_fee").exists()
    assert Journal.objects.filter(facts__why="payment_failed").exists()


@pytest.mark.parametrize("lang", ["fr", "nl", "ar"])
def test_pages_csv_json_and_api_speak_the_visitors_language(world, client, lang):
    slug = world.collective.slug
    page = client.get(f"/{lang}/{slug}/transactions?limit=100")
    assert page.status_code == 200
    outputs = {
        "page": page.content.decode(),
        "csv": b"".join(client.get(f"/{lang}/{slug}/transactions?format=csv").streaming_content).decode(),
        "json": b"".join(client.get(f"/{lang}/{slug}/transactions?format=json").streaming_content).decode(),
        "api": client.get(
            f"/api/v1/collectives/{slug}/transactions?limit=100", HTTP_ACCEPT_LANGUAGE=lang
        ).content.decode("unicode_escape"),
        "api ?lang": client.get(f"/api/v1/collectives/{slug}/transactions?limit=100&lang={lang}").content.decode(
            "unicode_escape"
        ),
    }
    for where, text in outputs.items():
        for sentence in ENGLISH:
            assert sentence not in text, f"{sentence!r} in the {lang} {where}"
        found = INTERNAL.search(text)
        assert found is None, f"internal id {found and found.group(0)!r} in the {lang} {where}"
    # What people typed is shown as they typed it; the system's sentences are in the visitor's language.
    with translation.override(lang):
        expected = {
            describe_transfer(t)
            for t in Transfer.objects.select_related("journal").filter(
                journal__in=Journal.objects.filter(transfers__credit_account__collective=world.collective)
            )
        }
    for where in ("page", "csv"):
        for typed in TYPED[:3]:
            assert typed in outputs[where], (typed, where)
    assert any(s in outputs["page"] for s in expected)


def test_the_same_row_reads_in_each_language(world):
    t = Transfer.objects.select_related("journal").get(kind=TransferKind.BANK_FEE, journal__facts__what="expense")
    seen = set()
    for lang in ("en", "fr", "nl", "ar"):
        with translation.override(lang):
            seen.add(describe_transfer(t))
    assert len(seen) == 4
    with translation.override("en"):
        assert describe_transfer(t) == "Bank fee"
