"""Does the ledger agree with the bank? Per bank account: the last statement's closing balance against the
ledger's bank account on the same date, and, when they differ, the lines and entries that explain it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, Sum

from opencity.banking.models import BankAccount, BankStatement, BankStatementLine
from opencity.ledger.models import Account, AccountKind, Transfer


@dataclass
class Reconciliation:
    account: BankAccount
    statement: BankStatement | None = None
    date: dt.date | None = None
    bank_change: int = 0  # last closing − first opening
    ledger_change: int = 0  # the ledger's bank account over the same period
    difference: int = 0  # bank_change − ledger_change
    not_in_ledger: list[BankStatementLine] = field(default_factory=list)
    not_in_ledger_total: int = 0
    in_flight: list[Transfer] = field(default_factory=list)
    in_flight_total: int = 0
    in_flight_count: int = 0
    gaps: list[tuple[BankStatement, int]] = field(default_factory=list)
    incomplete: list[tuple[BankStatement, int]] = field(default_factory=list)

    @property
    def reconciled(self) -> bool:
        return self.statement is not None and self.difference == 0

    @property
    def closing_balance(self) -> int | None:
        return self.statement.closing_balance if self.statement else None

    @property
    def ledger_balance(self) -> int | None:
        """The ledger's view of the bank balance on the statement's date (opening balance + ledger change)."""
        if self.statement is None:
            return None
        return self.statement.closing_balance - self.difference


def _ledger_account(account: BankAccount) -> Account | None:
    return Account.objects.filter(
        host_id=account.host_id, kind=AccountKind.BANK, processor=account.ledger_processor, collective__isnull=True
    ).first()


def _movement(acc: Account | None, *, after: dt.date, until: dt.date) -> int:
    """Money into the bank (debits) minus money out (credits) with an effective date in (after, until]."""
    if acc is None:
        return 0
    window = Q(effective_date__gt=after, effective_date__lte=until)
    qs = Transfer.objects.filter(window)
    debits = qs.filter(debit_account=acc).aggregate(s=Sum("amount"))["s"] or 0
    credits = qs.filter(credit_account=acc).aggregate(s=Sum("amount"))["s"] or 0
    return debits - credits


def account_reconciliation(account: BankAccount, *, detail_limit: int = 200) -> Reconciliation:
    result = Reconciliation(account=account)
    chain = list(BankStatement.objects.filter(bank_account=account).order_by("to_date", "from_date", "id"))
    if not chain:
        return result
    first, last = min(chain, key=lambda s: (s.from_date, s.id)), chain[-1]
    result.statement, result.date = last, last.to_date
    start = first.from_date - dt.timedelta(days=1)
    result.bank_change = last.closing_balance - first.opening_balance
    acc = _ledger_account(account)
    result.ledger_change = _movement(acc, after=start, until=last.to_date)
    result.difference = result.bank_change - result.ledger_change
    if result.difference == 0:
        return result
    lines = BankStatementLine.objects.filter(bank_account=account, journal__isnull=True).order_by("booking_date", "id")
    result.not_in_ledger_total = lines.aggregate(s=Sum("amount"))["s"] or 0
    result.not_in_ledger = list(lines.select_related("statement")[:detail_limit])
    if acc is not None:
        linked = BankStatementLine.objects.filter(bank_account=account, journal__isnull=False).values("journal_id")
        flight = (
            Transfer.objects.filter(Q(debit_account=acc) | Q(credit_account=acc))
            .filter(effective_date__gt=start, effective_date__lte=last.to_date)
            .exclude(journal_id__in=linked)
            .select_related("journal")
            .order_by("effective_date", "id")
        )
        sums = flight.aggregate(
            d=Sum("amount", filter=Q(debit_account=acc)), c=Sum("amount", filter=Q(credit_account=acc))
        )
        result.in_flight_total = (sums["d"] or 0) - (sums["c"] or 0)
        result.in_flight_count = flight.count()
        result.in_flight = list(flight[:detail_limit])
        for t in result.in_flight:
            t.bank_amount = t.amount if t.debit_account_id == acc.pk else -t.amount
    previous = None
    for st in chain:
        stored = st.lines.aggregate(s=Sum("amount"))["s"] or 0
        unexplained = st.closing_balance - st.opening_balance - stored
        if unexplained:
            result.incomplete.append((st, unexplained))
        if previous is not None and st.opening_balance != previous.closing_balance:
            result.gaps.append((st, st.opening_balance - previous.closing_balance))
        previous = st
    return result


def host_reconciliations(host) -> list[Reconciliation]:
    return [account_reconciliation(a, detail_limit=0) for a in BankAccount.objects.filter(host=host).order_by("id")]
