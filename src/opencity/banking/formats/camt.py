"""CAMT.053 (ISO 20022 bank-to-customer statement), versions .001.02 to .001.08, parsed safely with lxml.

No DTD, no entities, no network: a file that declares any (XXE, "billion laughs") is refused before parsing.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext_lazy as _
from lxml import etree

from opencity.banking import communication
from opencity.banking.formats import ParsedLine, ParsedStatement, StatementFileError, minor_units

_NS = re.compile(r"^\{urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.0([2-8])\}Document$")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse(data: bytes) -> list[ParsedStatement]:
    upper = data[:4096].upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in data.upper():
        raise StatementFileError(
            _("This file declares a document type or entities, which bank statements never do: refused."),
            code="unsafe_xml",
        )
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError:
        raise StatementFileError(
            _("This XML file is damaged or incomplete (truncated?)."), code="malformed_statement"
        ) from None
    m = _NS.match(root.tag if isinstance(root.tag, str) else "")
    if not m:
        raise StatementFileError(
            _("This XML file is not a CAMT.053 bank statement (versions .001.02 to .001.08)."),
            code="not_camt053",
        )
    ns = {"c": root.tag[1:].split("}")[0]}
    return [_statement(stmt, ns) for stmt in root.iterfind("c:BkToCstmrStmt/c:Stmt", ns)]


def _text(el, path: str, ns) -> str:
    found = el.find(path, ns) if el is not None else None
    return (found.text or "").strip() if found is not None and found.text else ""


def _date(el, path: str, ns) -> dt.date | None:
    """A `<Dt>` or `<DtTm>` under `path` (the date part is what the bank booked)."""
    base = el.find(path, ns)
    if base is None:
        return None
    raw = _text(base, "c:Dt", ns) or _text(base, "c:DtTm", ns) or (base.text or "").strip()
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise StatementFileError(_("A date in the file is not valid."), code="invalid_date") from None


def _signed(el, ns, path: str = "c:Amt") -> tuple[int, str]:
    amt = el.find(path, ns)
    if amt is None:
        raise StatementFileError(_("A line of the statement has no amount."), code="missing_amount")
    value = minor_units(amt.text or "")
    indicator = _text(el, "c:CdtDbtInd", ns)
    if indicator not in ("CRDT", "DBIT"):
        raise StatementFileError(_("A line of the statement has no direction."), code="missing_direction")
    return (value if indicator == "CRDT" else -value), (amt.get("Ccy") or "").upper()


def _balance(stmt, ns, codes: tuple[str, ...]):
    for bal in stmt.iterfind("c:Bal", ns):
        if _text(bal, "c:Tp/c:CdOrPrtry/c:Cd", ns) in codes:
            amount, _ccy = _signed(bal, ns)
            return amount, _date(bal, "c:Dt", ns)
    return None, None


def _statement(stmt, ns) -> ParsedStatement:
    iban = _text(stmt, "c:Acct/c:Id/c:IBAN", ns) or _text(stmt, "c:Acct/c:Id/c:Othr/c:Id", ns)
    currency = _text(stmt, "c:Acct/c:Ccy", ns)
    opening, opening_date = _balance(stmt, ns, ("OPBD", "PRCD"))
    closing, closing_date = _balance(stmt, ns, ("CLBD",))
    if opening is None or closing is None or not iban:
        raise StatementFileError(
            _("The statement has no account, opening balance or closing balance."), code="incomplete_statement"
        )
    lines: list[ParsedLine] = []
    for entry in stmt.iterfind("c:Ntry", ns):
        status = _text(entry, "c:Sts", ns) or _text(entry, "c:Sts/c:Cd", ns)
        if status and status != "BOOK":
            continue  # pending or information only: not in the balance
        lines.extend(_entry_lines(entry, ns))
    for ln in lines:
        currency = currency or ln.currency
    from_date = _date(stmt, "c:FrToDt/c:FrDtTm", ns) or opening_date or closing_date
    to_date = _date(stmt, "c:FrToDt/c:ToDtTm", ns) or closing_date or from_date
    dates = [ln.booking_date for ln in lines]
    from_date = from_date or (min(dates) if dates else None)
    to_date = to_date or (max(dates) if dates else None)
    if from_date is None or to_date is None:
        raise StatementFileError(_("A date in the file is not valid."), code="invalid_date")
    return ParsedStatement(
        format="camt053",
        iban=iban.replace(" ", "").upper(),
        currency=(currency or "EUR").upper(),
        reference=(_text(stmt, "c:ElctrncSeqNb", ns) or _text(stmt, "c:Id", ns))[:100],
        from_date=min(from_date, to_date),
        to_date=max(from_date, to_date),
        opening_balance=opening,
        closing_balance=closing,
        lines=lines,
    )


def _details(tx, ns) -> dict:
    remittance = " ".join(t.text.strip() for t in tx.iterfind("c:RmtInf/c:Ustrd", ns) if t.text)
    structured = _text(tx, "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns)
    digits = re.sub(r"\D", "", structured)
    name = ""
    iban = ""
    for party in ("Dbtr", "Cdtr"):
        name = (
            name or _text(tx, f"c:RltdPties/c:{party}/c:Nm", ns) or _text(tx, f"c:RltdPties/c:{party}/c:Pty/c:Nm", ns)
        )
        iban = iban or _text(tx, f"c:RltdPties/c:{party}Acct/c:Id/c:IBAN", ns)
    e2e = _text(tx, "c:Refs/c:EndToEndId", ns)
    return {
        "communication": " ".join(p for p in (structured, remittance) if p)[:500],
        "structured_communication": digits if len(digits) == 12 and communication.is_valid(digits) else "",
        "counterparty_name": name[:140],
        "counterparty_iban": iban.replace(" ", "")[:34],
        "end_to_end_id": "" if e2e == "NOTPROVIDED" else e2e[:100],
    }


def _entry_lines(entry, ns) -> list[ParsedLine]:
    amount, currency = _signed(entry, ns)
    booking = _date(entry, "c:BookgDt", ns) or _date(entry, "c:ValDt", ns)
    if booking is None:
        raise StatementFileError(_("A line of the statement has no date."), code="invalid_date")
    value_date = _date(entry, "c:ValDt", ns)
    ref = _text(entry, "c:AcctSvcrRef", ns)
    txs = list(entry.iterfind("c:NtryDtls/c:TxDtls", ns))
    base = {"booking_date": booking, "value_date": value_date, "currency": currency}
    # A batch booked as one entry, with each transaction's amount: one line per transaction (each may match).
    if len(txs) > 1:
        parts = []
        for tx in txs:
            amt = tx.find("c:AmtDtls/c:TxAmt/c:Amt", ns)
            if amt is None:
                amt = tx.find("c:Amt", ns)
            if amt is None:
                parts = []
                break
            parts.append(minor_units(amt.text or "") * (1 if amount > 0 else -1))
        if parts and sum(parts) == amount:
            return [
                ParsedLine(
                    amount=part,
                    bank_reference=f"{ref}/{i}" if ref else _text(tx, "c:Refs/c:AcctSvcrRef", ns),
                    **base,
                    **_details(tx, ns),
                )
                for i, (tx, part) in enumerate(zip(txs, parts, strict=True), start=1)
            ]
    details = _details(txs[0], ns) if txs else {}
    if not details.get("communication"):
        details["communication"] = _text(entry, "c:AddtlNtryInf", ns)[:500]
    return [ParsedLine(amount=amount, bank_reference=ref, **base, **details)]
