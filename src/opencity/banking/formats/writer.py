"""A small CAMT.053.001.02 writer for the demo and the benchmark (real statements come from banks)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.sax.saxutils import escape


@dataclass
class Entry:
    amount: int  # minor units, + credit
    date: dt.date
    structured: str = ""  # 12 digits
    text: str = ""
    name: str = ""
    iban: str = ""
    end_to_end_id: str = ""
    ref: str = ""


def _dec(minor: int) -> str:
    return f"{abs(minor) // 100}.{abs(minor) % 100:02d}"


def _bal(code: str, amount: int, date: dt.date) -> str:
    return (
        f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{_dec(amount)}</Amt>'
        f"<CdtDbtInd>{'CRDT' if amount >= 0 else 'DBIT'}</CdtDbtInd><Dt><Dt>{date.isoformat()}</Dt></Dt></Bal>"
    )


def _entry(e: Entry, n: int, stmt_id: str) -> str:
    rmt = (
        f"<Strd><CdtrRefInf><Ref>{e.structured}</Ref></CdtrRefInf></Strd>"
        if e.structured
        else f"<Ustrd>{escape(e.text)}</Ustrd>"
    )
    party = "Dbtr" if e.amount > 0 else "Cdtr"
    return (
        f'<Ntry><Amt Ccy="EUR">{_dec(e.amount)}</Amt><CdtDbtInd>{"CRDT" if e.amount > 0 else "DBIT"}</CdtDbtInd>'
        f"<Sts>BOOK</Sts><BookgDt><Dt>{e.date.isoformat()}</Dt></BookgDt><ValDt><Dt>{e.date.isoformat()}</Dt></ValDt>"
        f"<AcctSvcrRef>{escape(e.ref or f'{stmt_id}-{n}')}</AcctSvcrRef><NtryDtls><TxDtls>"
        f"<Refs><EndToEndId>{escape(e.end_to_end_id or 'NOTPROVIDED')}</EndToEndId></Refs>"
        f"<RltdPties><{party}><Nm>{escape(e.name)}</Nm></{party}>"
        f"<{party}Acct><Id><IBAN>{e.iban}</IBAN></Id></{party}Acct></RltdPties>"
        f"<RmtInf>{rmt}</RmtInf></TxDtls></NtryDtls></Ntry>\n"
    )


def camt053(*, iban: str, entries: list[Entry], opening: int, start: dt.date, end: dt.date, stmt_id: str) -> bytes:
    closing = opening + sum(e.amount for e in entries)
    body = "".join(_entry(e, n, stmt_id) for n, e in enumerate(entries, start=1))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>{escape(stmt_id)}</MsgId><CreDtTm>{end.isoformat()}T18:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{escape(stmt_id)}</Id><CreDtTm>{end.isoformat()}T18:00:00</CreDtTm>"
        f"<FrToDt><FrDtTm>{start.isoformat()}T00:00:00</FrDtTm><ToDtTm>{end.isoformat()}T23:59:59</ToDtTm></FrToDt>"
        f"<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        f"{_bal('OPBD', opening, start)}{_bal('CLBD', closing, end)}\n{body}</Stmt></BkToCstmrStmt></Document>"
    ).encode()
