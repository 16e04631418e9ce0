import pytest

from opencity.ledger import services as ledger
from opencity.ledger.models import AccountKind, Journal, Transfer, TransferKind


@pytest.mark.django_db
def test_contribution_journal_moves_money_once(collective):
    host = collective.host
    clearing = ledger.host_account(host, AccountKind.CLEARING, "stripe")
    funds = ledger.funds_account(collective)
    fees = ledger.host_account(host, AccountKind.HOST_FEES)
    pfees = ledger.host_account(host, AccountKind.PROCESSOR_FEES, "stripe")
    legs = [
        ledger.Leg(clearing, funds, 1000, TransferKind.CONTRIBUTION),
        ledger.Leg(funds, pfees, 39, TransferKind.PROCESSOR_FEE),
        ledger.Leg(funds, fees, 80, TransferKind.HOST_FEE),
    ]
    j1 = ledger.post_journal(host=host, idempotency_key="c1", kind=TransferKind.CONTRIBUTION, legs=legs)
    j2 = ledger.post_journal(host=host, idempotency_key="c1", kind=TransferKind.CONTRIBUTION, legs=legs)
    assert j1.pk == j2.pk
    funds.refresh_from_db()
    assert funds.balance == 881
    assert Transfer.objects.count() == 3


@pytest.mark.django_db
def test_funds_never_negative(collective):
    host = collective.host
    funds = ledger.funds_account(collective)
    bank = ledger.host_account(host, AccountKind.BANK)
    with pytest.raises(ledger.InsufficientFunds):
        ledger.post_journal(
            host=host,
            idempotency_key="e1",
            kind=TransferKind.EXPENSE,
            legs=[ledger.Leg(funds, bank, 1, TransferKind.EXPENSE)],
        )
    funds.refresh_from_db()
    assert funds.debits_posted == 0 and not Transfer.objects.exists()


@pytest.mark.django_db
def test_transfers_are_immutable(collective):
    host = collective.host
    funds = ledger.funds_account(collective)
    bank = ledger.host_account(host, AccountKind.BANK)
    ledger.post_journal(
        host=host,
        idempotency_key="a1",
        kind=TransferKind.ADDED_FUNDS,
        legs=[ledger.Leg(bank, funds, 500, TransferKind.ADDED_FUNDS)],
    )
    t = Transfer.objects.get()
    t.amount = 1
    with pytest.raises(TypeError):
        t.save()
    with pytest.raises(TypeError):
        Transfer.objects.all().update(amount=1)
    with pytest.raises(TypeError):
        t.delete()


@pytest.mark.django_db
def test_incoming_payment_and_reversal(collective, check_ledger):
    host = collective.host
    clearing = ledger.host_account(host, AccountKind.CLEARING, "stripe")
    pfees = ledger.host_account(host, AccountKind.PROCESSOR_FEES, "stripe")
    j = ledger.record_incoming_payment(
        collective=collective,
        amount=1000,
        idempotency_key="p1",
        source_account=clearing,
        processor_fee=39,
        processor_fee_account=pfees,
    )
    assert sorted(j.transfers.values_list("kind", "amount")) == [
        ("contribution", 1000),
        ("host_fee", 80),
        ("processor_fee", 39),
    ]
    assert ledger.funds_account(collective).balance == 881
    r = ledger.journal_reverse(journal=j, idempotency_key="p1:rev", reason="refund")
    assert r.reverses_id == j.pk and ledger.funds_account(collective).balance == 0
    assert ledger.journal_reverse(journal=j, idempotency_key="p1:rev", reason="again").pk == r.pk
    check_ledger()


# --- more of post_journal ----------------------------------------------------------------------------

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from opencity.core.errors import ValidationFailed  # noqa: E402
from tests.conftest import make_collective, make_host  # noqa: E402
from tests.ledger.helpers import balance, contribute, spend  # noqa: E402


@pytest.mark.django_db
def test_post_journal_refuses_bad_legs(collective):
    host = collective.host
    funds = ledger.funds_account(collective)
    bank = ledger.host_account(host, AccountKind.BANK)
    other_host = make_host()
    foreign = ledger.host_account(other_host, AccountKind.BANK)
    for legs in (
        [],
        [ledger.Leg(bank, funds, 0, "added_funds")],
        [ledger.Leg(bank, funds, -5, "added_funds")],
        [ledger.Leg(bank, funds, 1.5, "added_funds")],
        [ledger.Leg(bank, bank, 5, "added_funds")],
        [ledger.Leg(foreign, funds, 5, "added_funds")],
    ):
        with pytest.raises(ledger.LedgerError):
            ledger.post_journal(host=host, idempotency_key="bad", kind="added_funds", legs=legs)
    assert not Transfer.objects.exists()


@pytest.mark.django_db
def test_limit_counts_the_whole_journal(collective, check_ledger):
    """Money in and out of the same journal nets out before the no-overdraft check."""
    contribute(collective, 1000)  # 920 after the 8 % host fee
    assert balance(collective) == 920
    with pytest.raises(ledger.InsufficientFunds):
        spend(collective, 921)
    spend(collective, 920)
    assert balance(collective) == 0
    check_ledger()


@pytest.mark.django_db
def test_retry_after_money_was_spent_returns_first_journal(collective):
    """An idempotent retry must not fail on the limit: it moved money already, it moves nothing now."""
    contribute(collective, 1000)
    j = spend(collective, 900, idempotency_key="exp-1")
    assert spend(collective, 900, idempotency_key="exp-1").pk == j.pk
    assert balance(collective) == 20


@pytest.mark.django_db
def test_post_journal_query_count_is_constant(collective):
    contribute(collective, 1000, fee=39)
    with CaptureQueriesContext(connection) as ctx:
        contribute(collective, 1000, fee=39)
    # funds+fees lookup, clearing, processor fee accounts, lock, key check, journal, transfers, totals (+savepoints)
    statements = [q["sql"] for q in ctx.captured_queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) <= 9, statements
    if connection.vendor == "postgresql":
        # The whole journal is one statement: SELECT ledger_post_journal(…).
        assert sum("ledger_post_journal" in s for s in statements) == 1
    else:
        # One UPDATE bumps every account of the journal.
        assert sum(s.startswith('UPDATE "ledger_account"') for s in statements) == 1


@pytest.mark.django_db
def test_reversal_needs_a_reason_and_happens_once(collective, check_ledger):
    j = contribute(collective, 1000)
    with pytest.raises(ValidationFailed):
        ledger.journal_reverse(journal=j, idempotency_key="r1", reason="  ")
    r = ledger.journal_reverse(journal=j, idempotency_key="r1", reason="card charged back")
    assert r.reason == "card charged back" and r.reverses == j
    with pytest.raises(ledger.AlreadyReversed):
        ledger.journal_reverse(journal=j, idempotency_key="r2", reason="again")
    with pytest.raises(ledger.LedgerError):
        ledger.journal_reverse(journal=r, idempotency_key="r3", reason="undo the undo")
    assert balance(collective) == 0
    assert all(t.reversal_of_id for t in r.transfers.all())
    check_ledger()


@pytest.mark.django_db
def test_reversal_refused_when_money_already_spent(collective, check_ledger):
    j = contribute(collective, 1000)
    spend(collective, 500)
    with pytest.raises(ledger.InsufficientFunds):
        ledger.journal_reverse(journal=j, idempotency_key="r1", reason="chargeback")
    assert not ledger.Journal.objects.filter(reverses=j).exists()
    check_ledger()


@pytest.mark.django_db
def test_accounts_are_opened_at_host_creation_and_approval():
    host = make_host()
    kinds = set(ledger.Account.objects.filter(host=host, collective__isnull=True).values_list("kind", "processor"))
    assert {
        ("host_fees", ""),
        ("bank", ""),
        ("clearing", "stripe"),
        ("clearing", "bank_transfer"),
        ("processor_fees", "stripe"),
        ("processor_fees", "bank_transfer"),
    } <= kinds
    pending = make_collective(host, active=False)
    assert not ledger.Account.objects.filter(collective=pending).exists()
    active = make_collective(host)
    acc = ledger.Account.objects.get(collective=active)
    assert acc.kind == AccountKind.COLLECTIVE_FUNDS and acc.debits_must_not_exceed_credits and acc.currency == "EUR"


@pytest.mark.django_db
def test_refund_reversal_keeps_fee_kinds(collective, check_ledger):
    """A refund's main leg is REFUND; the returned fees stay fees, so statements group them under it."""
    host = collective.host
    clearing = ledger.host_account(host, AccountKind.CLEARING, "stripe")
    pfees = ledger.host_account(host, AccountKind.PROCESSOR_FEES, "stripe")
    j = ledger.record_incoming_payment(
        collective=collective, amount=1000, idempotency_key="r1", source_account=clearing,
        processor_fee=39, processor_fee_account=pfees,
    )  # fmt: skip
    r = ledger.journal_reverse(journal=j, idempotency_key="r1:refund", reason="refund", kind=TransferKind.REFUND)
    assert sorted(r.transfers.values_list("kind", "amount")) == [
        ("host_fee", 80),
        ("processor_fee", 39),
        ("refund", 1000),
    ]
    assert ledger.funds_account(collective).balance == 0
    check_ledger()


@pytest.mark.django_db
def test_english_dates_are_written_day_first(client):
    from django.template import Context, Template

    html = Template("{{ d|date:'SHORT_DATE_FORMAT' }}").render(
        Context({"d": __import__("datetime").date(2026, 11, 27)})
    )
    assert html == "27/11/2026"


@pytest.mark.django_db
def test_many_journals_in_one_transaction_need_no_savepoint_each(collective):
    """An import posts many journals in one transaction: a retry and a refused overdraft write nothing and
    leave the transaction usable; on PostgreSQL, no SAVEPOINT per journal (one statement each)."""
    contribute(collective, 1000)
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        first = [contribute(collective, 100 + i, idempotency_key=f"import:{i}") for i in range(20)]
        with pytest.raises(ledger.InsufficientFunds):
            spend(collective, 10**9, idempotency_key="import:too-much")
        again = contribute(collective, 999, idempotency_key="import:3")  # a retry inside the batch
        last = spend(collective, 50, idempotency_key="import:spend")
    assert again.pk == first[3].pk and again.transfers.get(kind="contribution").amount == 103
    assert Journal.objects.filter(idempotency_key__startswith="import:").count() == 21
    assert last.transfers.count() == 1 and not Journal.objects.filter(idempotency_key="import:too-much").exists()
    assert (
        balance(collective)
        == 1000 - 80 + sum(100 + i - ledger.host_fee_for(collective, 100 + i) for i in range(20)) - 50
    )
    if connection.vendor == "postgresql":
        sql = [q["sql"] for q in ctx.captured_queries]
        assert not [s for s in sql if s.upper().startswith("SAVEPOINT")], sql[:5]
        assert sum("ledger_post_journal" in s for s in sql) == 23
