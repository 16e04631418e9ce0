"""Bank statement files → plain data (`ParsedStatement`), whatever the format. No database here.

`parse(data)` recognises CAMT.053 (XML, versions .001.02 to .001.08) and CODA (Belgian fixed width) and
raises `StatementFileError` (translated, with a stable code) for anything else, truncated or unsafe.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from opencity.core.errors import ValidationFailed


class StatementFileError(ValidationFailed):
    code = "invalid_statement_file"
    default_message = _("This file is not a bank statement we can read (CAMT.053 or CODA).")


@dataclass
class ParsedLine:
    booking_date: dt.date
    amount: int  # minor units, + credit, − debit
    currency: str
    value_date: dt.date | None = None
    bank_reference: str = ""
    counterparty_name: str = ""
    counterparty_iban: str = ""
    communication: str = ""
    structured_communication: str = ""  # 12 digits when the bank says it is structured
    end_to_end_id: str = ""
    key: str = ""


@dataclass
class ParsedStatement:
    format: str
    iban: str
    currency: str
    reference: str
    from_date: dt.date
    to_date: dt.date
    opening_balance: int
    closing_balance: int
    lines: list[ParsedLine] = field(default_factory=list)

    @property
    def unexplained(self) -> int:
        """Closing − opening − the lines: 0 for a complete statement (some banks' files are not)."""
        return self.closing_balance - self.opening_balance - sum(ln.amount for ln in self.lines)

    @property
    def key(self) -> str:
        raw = "|".join(
            str(v)
            for v in (
                self.iban,
                self.reference,
                self.from_date,
                self.to_date,
                self.opening_balance,
                self.closing_balance,
            )
        )
        return hashlib.sha256(raw.encode()).hexdigest()[:64]


def minor_units(text: str, *, decimals: int = 2) -> int:
    """'1234.50' → 123450, exactly (refuses more decimals than the currency has)."""
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        raise StatementFileError(_("An amount in the file is not a number."), code="invalid_amount") from None
    scaled = value.scaleb(decimals)
    if not value.is_finite() or scaled != scaled.to_integral_value() or value < 0:
        raise StatementFileError(_("An amount in the file is not a number."), code="invalid_amount")
    return int(scaled)


def assign_keys(lines: list[ParsedLine], iban: str) -> None:
    """The bank's reference when it has one (unique in the file), else a hash of the content and its rank."""
    seen: dict[str, int] = {}
    refs = [ln.bank_reference for ln in lines if ln.bank_reference]
    unique_refs = len(refs) == len(set(refs))
    for ln in lines:
        if ln.bank_reference and unique_refs:
            ln.key = f"ref:{ln.bank_reference}"[:100]
            continue
        content = "|".join(
            str(v)
            for v in (
                iban,
                ln.booking_date,
                ln.amount,
                ln.currency,
                ln.counterparty_iban,
                ln.communication,
                ln.end_to_end_id,
                ln.bank_reference,
            )
        )
        seen[content] = seen.get(content, 0) + 1
        ln.key = "sha:" + hashlib.sha256(f"{content}|{seen[content]}".encode()).hexdigest()[:64]


def max_bytes() -> int:
    return int(getattr(settings, "BANK_STATEMENT_MAX_BYTES", 50 * 1024 * 1024))


def parse(data: bytes) -> list[ParsedStatement]:
    """Every statement in the file, checked (balances add up), or StatementFileError. Nothing is stored."""
    from opencity.banking.formats import camt, coda

    if not isinstance(data, bytes | bytearray):
        raise StatementFileError()
    if len(data) > max_bytes():
        raise StatementFileError(
            _("This file is too large (at most %(mb)s MB).") % {"mb": max_bytes() // (1024 * 1024)},
            code="statement_too_large",
        )
    head = bytes(data[:200]).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        statements = camt.parse(bytes(data))
    elif head[:1] == b"0" and len(head) >= 24:
        statements = coda.parse(bytes(data))
    else:
        raise StatementFileError()
    if not statements:
        raise StatementFileError(_("This file holds no statement."), code="empty_statement")
    for st in statements:
        st.lines = [ln for ln in st.lines if ln.amount]
        assign_keys(st.lines, st.iban)
    return statements
