"""Reads of the bank pages, API and exports."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from opencity.banking.models import BankAccount, BankStatement, BankStatementLine, LineState


def host_main_bank_account(host) -> BankAccount | None:
    """Where contributors send their transfers: the host's main account."""
    return BankAccount.objects.filter(host=host, ledger_processor="").first()


def host_bank_accounts(host):
    return BankAccount.objects.filter(host=host).order_by("created_at", "id")


def bank_account_by_public_id(host, public_id: str) -> BankAccount | None:
    return BankAccount.objects.filter(host=host, public_id=public_id).first()


def host_statements(host):
    return (
        BankStatement.objects.filter(bank_account__host=host)
        .select_related("bank_account")
        .annotate(
            stored_lines=Count("lines"),
            unmatched_lines=Count("lines", filter=Q(lines__state__in=[LineState.UNMATCHED, LineState.NEW])),
        )
        .order_by("-to_date", "-id")
    )


def statement_by_public_id(host, public_id: str) -> BankStatement | None:
    return (
        BankStatement.objects.filter(bank_account__host=host, public_id=public_id)
        .select_related("bank_account")
        .first()
    )


def statement_lines(statement):
    return statement.lines.select_related("contribution", "collective").order_by("booking_date", "id")


def host_lines(host, *, state: str | None = None):
    qs = BankStatementLine.objects.filter(bank_account__host=host).select_related(
        "bank_account", "statement", "contribution", "collective"
    )
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-booking_date", "-id")


def unmatched_lines(host):
    return host_lines(host).filter(state__in=[LineState.UNMATCHED, LineState.NEW])


def line_by_public_id(host, public_id: str) -> BankStatementLine | None:
    return host_lines(host).filter(public_id=public_id).first()


def statement_gap(statement: BankStatement) -> int | None:
    """Opening balance − the previous statement's closing balance (None when there is none before it)."""
    previous = (
        BankStatement.objects.filter(bank_account=statement.bank_account, to_date__lte=statement.from_date)
        .exclude(pk=statement.pk)
        .order_by("-to_date", "-id")
        .first()
    )
    if previous is None:
        return None
    return statement.opening_balance - previous.closing_balance


def statement_unexplained(statement: BankStatement) -> int:
    """Closing − opening − the lines first seen in it (0 for a complete file)."""
    total = statement.lines.aggregate(s=Sum("amount"))["s"] or 0
    return statement.closing_balance - statement.opening_balance - total


def host_active_collectives(host):
    from opencity.hosting.models import Collective

    return Collective.objects.filter(host=host, status=Collective.Status.ACTIVE).order_by("name")
