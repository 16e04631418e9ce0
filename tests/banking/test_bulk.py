"""Set-based matching (banking/batch.py): the same ledger, contributions and lines as the one-by-one path, in a
number of statements that does not grow with the statement, once per line however often it runs."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from opencity.banking import batch, matching, services
from opencity.banking.models import BankLineEvent, BankStatementLine, LineState
from opencity.contributions.models import Contribution, ContributionEvent, Tier
from opencity.ledger.models import Account, Journal, Transfer
from tests.banking.conftest import IBAN, pending_transfer
from tests.banking.files import Line, camt053
from tests.banking.test_concurrency import _run_all
from tests.conftest import make_collective, make_host


class _Rollback(Exception):
    pass


def _stored_lines(host, data, monkeypatch):
    """Import `data` without matching: its new lines, still NEW."""
    monkeypatch.setattr(services, "lines_match", lambda **kw: 0)
    lines = services.statement_import(host=host, data=data, system=True).new_lines
    monkeypatch.undo()
    return lines


def _snapshot():
    jkey = {j.pk: j.idempotency_key for j in Journal.objects.all()}
    journals = sorted(
        (
            j.idempotency_key, j.kind, j.description, j.effective_date, j.source_type, j.source_id, j.person_id,
            j.anonymous, j.counterparty_label, j.facts, j.reverses_id, j.reason, j.created_by_id, j.host_id,
        )
        for j in Journal.objects.all()
    )  # fmt: skip
    transfers = sorted(
        (
            t.idempotency_key, jkey[t.journal_id], t.debit_account_id, t.credit_account_id, t.amount, t.currency,
            t.kind, t.description, t.effective_date, t.reversal_of_id,
        )
        for t in Transfer.objects.all()
    )  # fmt: skip
    contributions = sorted(
        (
            c.public_id, c.status, jkey.get(c.journal_id), c.amount, c.host_fee, c.processor_fee, c.paid_at,
            c.external_payment_id, bool(c.receipt_number), c.recurring_id,
        )
        for c in Contribution.objects.all()
    )  # fmt: skip
    # The same numbers are issued (gap-free); within a batch the exact gifts are numbered before the others.
    receipts = sorted(Contribution.objects.exclude(receipt_number=None).values_list("receipt_number", flat=True))
    lines = sorted(
        (ln.public_id, ln.state, ln.match_kind, ln.contribution_id, ln.collective_id, jkey.get(ln.journal_id), ln.flag)
        for ln in BankStatementLine.objects.all()
    )
    events = sorted(
        (e.contribution_id, e.from_status, e.to_status, e.note) for e in ContributionEvent.objects.all()
    ) + sorted((e.line_id, e.from_state, e.to_state, e.note) for e in BankLineEvent.objects.all())
    accounts = sorted((a.pk, a.totals) for a in Account.objects.with_stripes())
    return {
        "journals": journals,
        "transfers": transfers,
        "contributions": contributions,
        "lines": lines,
        "events": events,
        "accounts": accounts,
        "receipts": receipts,
    }


def _mixed_statement(host, collective):
    """Gifts of every shape (a tier, an organisation, a verified person, anonymous), a different amount, a
    second credit for a paid gift, an unknown credit, a communication only in free text."""
    tier = Tier.objects.create(collective=collective, name="Friends", slug="friends")
    gifts = [pending_transfer(collective, amount=1000 + i, email=f"g{i}@example.org") for i in range(6)]
    Contribution.objects.filter(pk=gifts[0].pk).update(tier=tier)
    Contribution.objects.filter(pk=gifts[1].pk).update(organisation_name="ACME", anonymous=True)
    Contribution.objects.filter(pk=gifts[2].pk).update(identity_verified=True)
    other = make_collective(host)
    gifts.append(pending_transfer(other, amount=4200, email="o@example.org"))
    lines = [Line(c.amount, c.communication) for c in gifts[:4]]
    lines.append(Line(gifts[4].amount + 1, gifts[4].communication))  # a different amount
    lines.append(Line(gifts[5].amount, f"gift +++{gifts[5].communication[:3]}/{gifts[5].communication[3:7]}/"
                      f"{gifts[5].communication[7:]}+++ thanks", structured=False))  # fmt: skip
    lines.append(Line(gifts[6].amount, gifts[6].communication))
    lines.append(Line(gifts[0].amount, gifts[0].communication, ref="again"))  # paid twice
    lines.append(Line(777, "unknown", structured=False))
    lines.append(Line(-500, "bank fee", structured=False))
    return lines


@pytest.mark.django_db
def test_bulk_and_one_by_one_write_the_same_rows(host, collective, bank_account, monkeypatch, check_ledger):
    lines = _stored_lines(host, camt053(iban=IBAN, lines=_mixed_statement(host, collective)), monkeypatch)
    assert len(lines) == 10

    with pytest.raises(_Rollback), transaction.atomic():
        for line in lines:
            matching.line_match(line=line)
        one_by_one = _snapshot()
        raise _Rollback

    assert BankStatementLine.objects.filter(state=LineState.NEW).count() == 10
    spy = []
    real = matching.line_match
    monkeypatch.setattr(matching, "line_match", lambda *, line: spy.append(line.pk) or real(line=line))
    assert batch.lines_match(lines=lines) == 7
    bulk = _snapshot()

    # The exact gifts went set-based; the rest (different amount, paid twice, unknown, debit) one by one.
    assert len(spy) == 4
    for what in one_by_one:
        assert bulk[what] == one_by_one[what], what
    assert sum(1 for c in bulk["contributions"] if c[1] == "paid") == 7
    assert all(c[8] for c in bulk["contributions"] if c[1] == "paid")  # receipt numbers, same as one by one
    check_ledger()


@pytest.mark.django_db
def test_matching_again_changes_nothing(host, collective, bank_account, monkeypatch, check_ledger):
    gifts = [pending_transfer(collective, amount=1500 + i, email=f"p{i}@example.org") for i in range(4)]
    lines = _stored_lines(host, camt053(iban=IBAN, lines=[Line(c.amount, c.communication) for c in gifts]), monkeypatch)
    assert batch.lines_match(lines=lines) == 4
    before = _snapshot()
    assert batch.lines_match(lines=lines) == 0
    assert (
        services.statement_import(
            host=host, data=camt053(iban=IBAN, lines=[Line(c.amount, c.communication) for c in gifts]), system=True
        ).new_lines
        == []
    )
    assert _snapshot() == before
    check_ledger()


@pytest.mark.django_db
def test_statements_do_not_grow_with_the_number_of_gifts(host, collective, bank_account, monkeypatch):
    counts = []
    for n, stmt in ((1, "S-1"), (3, "S-3"), (12, "S-12")):  # the first one opens the receipt counter
        gifts = [pending_transfer(collective, amount=2000 + i, email=f"{stmt}-{i}@example.org") for i in range(n)]
        data = camt053(iban=IBAN, lines=[Line(c.amount, c.communication, ref=f"{stmt}-{c.pk}") for c in gifts])
        lines = _stored_lines(host, data, monkeypatch)
        with CaptureQueriesContext(connection) as ctx:
            assert batch.lines_match(lines=lines) == n
        counts.append(len(ctx.captured_queries))
    assert counts[1] == counts[2] <= 50, counts  # one by one: about 40 per line


@pytest.mark.django_db(transaction=True)
def test_two_matchings_of_the_same_lines_at_once_settle_each_gift_once(monkeypatch, check_ledger):
    host = make_host()
    services.bank_account_main(host=host)
    collective = make_collective(host)
    gifts = [pending_transfer(collective, amount=1000 + i, email=f"c{i}@example.org") for i in range(6)]
    lines = _stored_lines(host, camt053(iban=IBAN, lines=[Line(c.amount, c.communication) for c in gifts]), monkeypatch)
    results = _run_all([lambda: batch.lines_match(lines=lines) for _ in range(2)])

    assert sorted(results) == [0, 6], results
    assert Contribution.objects.filter(status=Contribution.Status.PAID).count() == 6
    assert Journal.objects.filter(source_type="bank_line").count() == 6
    assert Journal.objects.filter(source_type="contribution").count() == 6
    assert BankLineEvent.objects.filter(to_state=LineState.MATCHED).count() == 6
    check_ledger()
