"""Writes for bank accounts, payment references and statement imports. Matching lives in matching.py."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN

from opencity.banking import communication, permissions
from opencity.banking.batch import lines_match
from opencity.banking.formats import ParsedStatement, StatementFileError, parse
from opencity.banking.models import (
    BankAccount,
    BankLineEvent,
    BankStatement,
    BankStatementLine,
    LineState,
    PaymentReference,
)
from opencity.core.errors import PermissionDenied, ValidationFailed


def _clean_iban(raw: str) -> str:
    try:
        return IBAN((raw or "").replace(" ", "").upper()).compact
    except Exception:  # noqa: BLE001 - schwifty raises several error types
        raise ValidationFailed(_("This IBAN is not valid."), code="invalid_iban", field="iban") from None


def bank_account_create(*, host, iban: str, beneficiary: str, bic: str = "", label: str = "", by=None) -> BankAccount:
    """Add one of the host's bank accounts. The first is the ledger's main bank account."""
    if by is not None and not permissions.can_manage_bank_accounts(by, host):
        raise PermissionDenied()
    iban = _clean_iban(iban)
    bic = (bic or "").replace(" ", "").upper()
    if bic:
        try:
            bic = str(BIC(bic))
        except Exception:  # noqa: BLE001
            raise ValidationFailed(_("This BIC is not valid."), code="invalid_bic", field="bic") from None
    beneficiary = (beneficiary or host.legal_name or "").strip()[:70]
    if not beneficiary:
        raise ValidationFailed(_("Enter the account holder's name."), code="beneficiary_required", field="beneficiary")
    with transaction.atomic():
        existing = BankAccount.objects.filter(iban=iban).first()
        if existing is not None:
            if existing.host_id != host.pk:
                raise ValidationFailed(_("This IBAN belongs to another host."), code="iban_taken", field="iban")
            return existing
        account = BankAccount(host=host, iban=iban, bic=bic, beneficiary=beneficiary, label=label[:100])
        if BankAccount.objects.filter(host=host).exists():
            account.ledger_processor = f"bank:{account.public_id}"[:30]
        account.save()
    return account


def bank_account_main(*, host) -> BankAccount | None:
    """The host's main bank account; made from the host's settings (IBAN, BIC, legal name) the first time."""
    account = BankAccount.objects.filter(host=host, ledger_processor="").first()
    if account is None and host.iban:
        try:
            account = bank_account_create(host=host, iban=host.iban, bic=host.bic, beneficiary=host.legal_name)
        except (ValidationFailed, IntegrityError):
            account = BankAccount.objects.filter(host=host, ledger_processor="").first()
    return account


def payment_reference_for(*, contribution) -> tuple[PaymentReference, bool]:
    """The contribution's structured communication (made once); True when it was just made."""
    existing = PaymentReference.objects.filter(contribution=contribution).first()
    if existing is not None:
        return existing, False
    for _attempt in range(20):
        try:
            with transaction.atomic():
                ref = PaymentReference.objects.create(
                    communication=communication.new_communication(),
                    host=contribution.collective.host,
                    contribution=contribution,
                    recurring=contribution.recurring,
                )
            return ref, True
        except IntegrityError:
            existing = PaymentReference.objects.filter(contribution=contribution).first()
            if existing is not None:
                return existing, False
    raise RuntimeError("could not allocate a structured communication")  # pragma: no cover


# --- statement import --------------------------------------------------------------------------------


class ImportResult:
    def __init__(self):
        self.statements: list[BankStatement] = []
        self.new_statements = 0
        self.new_lines: list[BankStatementLine] = []
        self.known_lines = 0
        self.matched = 0


def statement_import(*, host, data: bytes, by=None, system: bool = False, progress=None) -> ImportResult:
    """Parse a CAMT.053 or CODA file and store its statements and lines, each once; then match the new lines.

    The whole file is refused (nothing stored) when it cannot be read or when one of its statements is for
    an account that is not one of the host's. Importing the same or an overlapping file again stores nothing
    new; two imports of one file at once serialise on the bank account row and give the result of one.
    """
    if not system and not permissions.can_import_statement(by, host):
        if permissions.can_view_bank(by, host):
            raise PermissionDenied(
                _("Turn on two-factor authentication in your settings before moving money."), code="2fa_required"
            )
        raise PermissionDenied()
    parsed = parse(data)
    accounts = {a.iban: a for a in BankAccount.objects.filter(host=host)}
    for st in parsed:
        if st.iban not in accounts:
            raise StatementFileError(
                _("This statement is for the account %(iban)s, which is not one of this host's bank accounts.")
                % {"iban": st.iban},
                code="unknown_bank_account",
            )
        if st.currency != host.currency:
            raise StatementFileError(
                _("This statement is in %(currency)s; the host keeps its books in %(host_currency)s.")
                % {"currency": st.currency, "host_currency": host.currency},
                code="wrong_currency",
            )
    result = ImportResult()
    with transaction.atomic():
        for st in parsed:
            _store(st, accounts[st.iban], by=by if not system else None, result=result)
    result.matched = lines_match(lines=result.new_lines, progress=progress)
    return result


def _store(st: ParsedStatement, account: BankAccount, *, by, result: ImportResult) -> None:
    # Imports of one account take turns: the second sees what the first stored.
    BankAccount.objects.select_for_update().filter(pk=account.pk).first()
    statement = BankStatement.objects.filter(bank_account=account, key=st.key).first()
    if statement is None:
        statement = BankStatement.objects.create(
            bank_account=account,
            format=st.format,
            key=st.key,
            reference=st.reference,
            from_date=st.from_date,
            to_date=st.to_date,
            opening_balance=st.opening_balance,
            closing_balance=st.closing_balance,
            currency=st.currency,
            line_count=len(st.lines),
            imported_by=by,
        )
        result.new_statements += 1
    result.statements.append(statement)
    keys = [ln.key for ln in st.lines]
    known: set[str] = set()
    for i in range(0, len(keys), 500):
        known.update(
            BankStatementLine.objects.filter(bank_account=account, key__in=keys[i : i + 500]).values_list(
                "key", flat=True
            )
        )
    new = [
        BankStatementLine(
            bank_account=account,
            statement=statement,
            key=ln.key,
            booking_date=ln.booking_date,
            value_date=ln.value_date,
            amount=ln.amount,
            currency=ln.currency or st.currency,
            counterparty_name=ln.counterparty_name,
            counterparty_iban=ln.counterparty_iban,
            communication=ln.communication,
            structured_communication=ln.structured_communication,
            end_to_end_id=ln.end_to_end_id,
            bank_reference=ln.bank_reference[:100],
        )
        for ln in st.lines
        if ln.key not in known
    ]
    result.known_lines += len(st.lines) - len(new)
    created = BankStatementLine.objects.bulk_create(new, batch_size=1000)
    if created and created[0].pk is None:  # backends that do not return ids
        created = list(BankStatementLine.objects.filter(bank_account=account, key__in=[ln.key for ln in new]))
    BankLineEvent.objects.bulk_create(
        [BankLineEvent(line=ln, from_state="", to_state=LineState.NEW, by=by) for ln in created], batch_size=1000
    )
    result.new_lines.extend(created)
