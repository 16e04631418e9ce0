"""CODA (Febelfin "coded statement of account", v1 and v2): 128-character records, windows-1252.

Records: 0 header, 1 old balance, 2.1/2.2/2.3 movements, 3.x information, 4 free text, 8 new balance,
9 trailer (record count and totals, checked, so a truncated file is refused). Only the booked movements
(detail number 0000) make lines: the details of a grouped ("globalised") movement are not booked twice.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from schwifty import IBAN

from opencity.banking import communication
from opencity.banking.formats import ParsedLine, ParsedStatement, StatementFileError


def _bad(message=None, code: str = "malformed_coda") -> StatementFileError:
    return StatementFileError(message or _("This CODA file is damaged or incomplete."), code=code)


def _date(raw: str) -> dt.date:
    try:
        return dt.datetime.strptime(raw, "%d%m%y").date()
    except ValueError:
        raise _bad(_("A date in the file is not valid."), "invalid_date") from None


def _amount(sign: str, raw: str) -> int:
    """15 digits with 3 decimals (thousandths) → signed minor units (cents); sign '0' credit, '1' debit."""
    if not raw.isdigit() or sign not in "01":
        raise _bad(_("An amount in the file is not a number."), "invalid_amount")
    milli = int(raw)
    if milli % 10:
        raise _bad(_("An amount in the file is not a number."), "invalid_amount")
    return milli // 10 * (-1 if sign == "1" else 1)


def _clean(s: str) -> str:
    return " ".join(s.split())


def _join(a: str, b: str) -> str:
    return f"{a} {b}".strip() if b else a


def _account(rec: str) -> tuple[str, str]:
    structure = rec[1]
    if structure == "0":  # Belgian account number (BBAN) and currency
        bban, currency = rec[5:17].strip(), rec[18:21].strip()
        try:
            iban = str(IBAN.generate("BE", bank_code=bban[:3], account_code=bban[3:10]))
            if iban[-12:] != bban:
                iban = bban
        except Exception:  # noqa: BLE001 - schwifty raises several error types
            iban = bban
        return iban, currency
    if structure == "2":  # Belgian IBAN
        return rec[5:21].strip(), rec[39:42].strip()
    if structure in "13":  # foreign account: number then currency in the last three characters
        raw = rec[5:42]
        return raw[:-3].strip(), raw[-3:].strip()
    raise _bad()


def parse(data: bytes) -> list[ParsedStatement]:
    text = data.decode("windows-1252", errors="strict") if _cp1252_ok(data) else None
    if text is None:
        raise _bad(_("This CODA file has characters that are not windows-1252."), "invalid_encoding")
    records = [r for r in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if r.strip()]
    if any(len(r) != 128 for r in records):
        raise _bad(_("Every record of a CODA file has 128 characters: this file is damaged."), "malformed_coda")
    statements: list[ParsedStatement] = []
    current: dict | None = None
    for rec in records:
        kind = rec[0]
        if kind == "0":
            if current is not None:
                raise _bad()
            if rec[127] not in "12":
                raise _bad(_("Only CODA versions 1 and 2 are supported."), "unsupported_coda")
            current = {"created": _date(rec[5:11]), "lines": [], "records": 1, "debits": 0, "credits": 0}
        elif current is None:
            raise _bad()
        elif kind == "1":
            current["records"] += 1
            current["iban"], current["currency"] = _account(rec)
            current["opening"] = _amount(rec[42], rec[43:58])
            current["opening_date"] = _date(rec[58:64])
            current["seq"] = rec[2:5].strip()
        elif kind == "2":
            current["records"] += 1
            _movement(rec, current)
        elif kind in "34":
            current["records"] += 1
        elif kind == "8":
            current["records"] += 1
            current["closing"] = _amount(rec[41], rec[42:57])
            current["closing_date"] = _date(rec[57:63])
        elif kind == "9":
            _trailer(rec, current)
            statements.append(_statement(current))
            current = None
        else:
            raise _bad()
    if current is not None:
        raise _bad(_("This CODA file ends too early (truncated?)."), "truncated_coda")
    return statements


def _cp1252_ok(data: bytes) -> bool:
    try:
        data.decode("windows-1252", errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def _movement(rec: str, st: dict) -> None:
    part = rec[1]
    if part == "1":
        detail = rec[6:10]
        amount = _amount(rec[31], rec[32:47])
        # The trailer's totals count only the booked movements (detail 0000).
        if detail == "0000":
            st["debits" if amount < 0 else "credits"] += abs(amount)
        structured = ""
        if rec[61] == "1":
            digits = rec[65:77] if rec[62:65] == "101" else ""
            structured = digits if digits.isdigit() and communication.is_valid(digits) else ""
            text = communication.display(structured) if structured else _clean(rec[62:115])
        else:
            text = _clean(rec[62:115])
        st["move"] = {
            "ref": rec[2:6],
            "booked": detail == "0000",
            "line": ParsedLine(
                booking_date=_date(rec[115:121]),
                value_date=_date(rec[47:53]),
                amount=amount,
                currency=st.get("currency", ""),
                bank_reference=_clean(rec[10:31]),
                communication=text,
                structured_communication=structured,
            ),
        }
        if detail == "0000" and amount:
            st["lines"].append(st["move"]["line"])
        return
    move = st.get("move")
    if move is None or move["ref"] != rec[2:6]:
        raise _bad()
    line: ParsedLine = move["line"]
    if part == "2":
        line.communication = _join(line.communication, _clean(rec[10:63]))[:500]
        line.end_to_end_id = _clean(rec[63:98])[:100]
    elif part == "3":
        number = rec[10:44] if rec[22] != " " else rec[10:22]
        line.counterparty_iban = number.strip()[:34]
        line.counterparty_name = _clean(rec[47:82])[:140]
        line.communication = _join(line.communication, _clean(rec[82:125]))[:500]
    else:
        raise _bad()


def _trailer(rec: str, st: dict) -> None:
    if "opening" not in st or "closing" not in st:
        raise _bad(_("This CODA file ends too early (truncated?)."), "truncated_coda")
    try:
        count, debits, credits = int(rec[16:22]), int(rec[22:37]) // 10, int(rec[37:52]) // 10
    except ValueError:
        raise _bad() from None
    if debits != st["debits"] or credits != st["credits"]:
        raise _bad(_("The totals of this CODA file do not match its movements: it is damaged."), "coda_totals")
    del count  # counts differ between banks (some count records 0 and 9, some not); totals are what matter


def _statement(st: dict) -> ParsedStatement:
    dates = [ln.booking_date for ln in st["lines"]]
    from_date = min([st["opening_date"], *dates])
    to_date = max([st["closing_date"], *dates])
    return ParsedStatement(
        format="coda",
        iban=st["iban"].replace(" ", "").upper(),
        currency=(st["currency"] or "EUR").upper(),
        reference=f"{st['closing_date'].year}/{st['seq']}",
        from_date=from_date,
        to_date=to_date,
        opening_balance=st["opening"],
        closing_balance=st["closing"],
        lines=st["lines"],
    )
