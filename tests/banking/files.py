"""Crafted bank statement files for tests: CAMT.053 (any version) and CODA, with the lines we choose."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


def shared_bank_dir() -> Path:
    """`../shared/data/bank/` relative to the repository root (CI has shared/ beside the clone)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "data" / "bank"
        if (parent / "pyproject.toml").exists() and candidate.is_dir():
            return candidate
    for parent in here.parents:
        candidate = parent / "shared" / "data" / "bank"
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("shared/data/bank not found beside the repository")


@dataclass
class Line:
    amount: int  # minor units, + credit
    communication: str = ""  # 12 digits: structured; anything else: free text
    structured: bool = True
    end_to_end_id: str = ""
    name: str = "Jan Peeters"
    iban: str = "BE71096123456769"
    ref: str = ""
    date: dt.date = dt.date(2026, 11, 20)


def _dec(minor: int) -> str:
    return f"{abs(minor) // 100}.{abs(minor) % 100:02d}"


def camt053(
    *,
    iban: str,
    lines: list[Line],
    opening: int = 0,
    version: str = "02",
    stmt_id: str = "STMT-1",
    start: dt.date = dt.date(2026, 11, 1),
    end: dt.date = dt.date(2026, 11, 30),
) -> bytes:
    closing = opening + sum(ln.amount for ln in lines)
    entries = []
    for i, ln in enumerate(lines, start=1):
        rmt = (
            f"<Strd><CdtrRefInf><Ref>{ln.communication}</Ref></CdtrRefInf></Strd>"
            if ln.structured and ln.communication
            else f"<Ustrd>{ln.communication}</Ustrd>"
        )
        party = "Dbtr" if ln.amount > 0 else "Cdtr"
        entries.append(
            f"""<Ntry><Amt Ccy="EUR">{_dec(ln.amount)}</Amt><CdtDbtInd>{"CRDT" if ln.amount > 0 else "DBIT"}</CdtDbtInd>
<Sts>BOOK</Sts><BookgDt><Dt>{ln.date.isoformat()}</Dt></BookgDt><ValDt><Dt>{ln.date.isoformat()}</Dt></ValDt>
<AcctSvcrRef>{ln.ref or f"{stmt_id}-{i}"}</AcctSvcrRef><NtryDtls><TxDtls><Refs><EndToEndId>{ln.end_to_end_id or "NOTPROVIDED"}</EndToEndId></Refs>
<RltdPties><{party}><Nm>{ln.name}</Nm></{party}><{party}Acct><Id><IBAN>{ln.iban}</IBAN></Id></{party}Acct></RltdPties>
<RmtInf>{rmt}</RmtInf></TxDtls></NtryDtls></Ntry>"""
        )

    def bal(code, amount, date):
        ind = "CRDT" if amount >= 0 else "DBIT"
        return (
            f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{_dec(amount)}</Amt>'
            f"<CdtDbtInd>{ind}</CdtDbtInd><Dt><Dt>{date.isoformat()}</Dt></Dt></Bal>"
        )

    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"><BkToCstmrStmt>
<GrpHdr><MsgId>MSG-{stmt_id}</MsgId><CreDtTm>{end.isoformat()}T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>{stmt_id}</Id><CreDtTm>{end.isoformat()}T18:00:00</CreDtTm>
<FrToDt><FrDtTm>{start.isoformat()}T00:00:00</FrDtTm><ToDtTm>{end.isoformat()}T23:59:59</ToDtTm></FrToDt>
<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>
{bal("OPBD", opening, start)}{bal("CLBD", closing, end)}
{"".join(entries)}
</Stmt></BkToCstmrStmt></Document>""".encode()


def _rec(text: str) -> str:
    assert len(text) <= 128, (len(text), text)
    return text.ljust(128)


def _d(date: dt.date) -> str:
    return date.strftime("%d%m%y")


def _amt(minor: int) -> str:
    return f"{abs(minor) * 10:015d}"


def coda(
    *, iban: str, lines: list[Line], opening: int = 0, seq: str = "001", date: dt.date = dt.date(2026, 11, 30)
) -> bytes:
    """A CODA v2 file (one statement, Belgian IBAN structure) with `lines` as movements."""
    closing = opening + sum(ln.amount for ln in lines)
    recs = [
        _rec(
            "0000030112672505        00099449  OPENCITY TEST             GKCCBEBB   00000000000 00000" + " " * 39 + "2"
        )
    ]
    recs[0] = recs[0][:127] + "2"
    recs.append(
        _rec(
            f"12{seq}{iban:<16}{'':18}EUR{'1' if opening < 0 else '0'}{_amt(opening)}{_d(date)}"
            f"{'HOST ASBL':<26}{'Current account':<35}{seq}"
        )
    )
    debits = credits = 0
    for i, ln in enumerate(lines, start=1):
        n = f"{i:04d}"
        if ln.amount < 0:
            debits += -ln.amount
        else:
            credits += ln.amount
        if ln.structured and ln.communication:
            comm = "1101" + ln.communication
        else:
            comm = "0" + ln.communication[:53]
        ref = (ln.ref or f"REF{seq}{n}")[:21]
        recs.append(
            _rec(
                f"21{n}0000{ref:<21}{'1' if ln.amount < 0 else '0'}{_amt(ln.amount)}{_d(ln.date)}00150000"
                f"{comm:<54}{_d(ln.date)}{seq}001"
            )[:125]
            + "0 1"
        )
        recs.append(_rec(f"22{n}0000{'':53}{ln.end_to_end_id:<35}{'GKCCBEBB':<11}")[:125] + "1 0")
        recs.append(_rec(f"23{n}0000{ln.iban:<34}EUR{ln.name:<35}")[:125] + "0 0")
    recs.append(_rec(f"8{seq}{iban:<16}{'':18}EUR{'1' if closing < 0 else '0'}{_amt(closing)}{_d(date)}")[:127] + "0")
    recs.append(_rec(f"9{'':15}{len(recs) - 1:06d}{debits * 10:015d}{credits * 10:015d}")[:127] + "2")
    return ("\r\n".join(recs) + "\r\n").encode("cp1252")
