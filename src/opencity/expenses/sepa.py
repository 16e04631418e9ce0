"""SEPA credit-transfer files (pain.001) for a payout batch, built with `sepaxml`.

sepaxml ships the official XSDs of pain.001.001.03 and .09 (and .10/.11) and validates its output
against them with `xmlschema` when exporting; we always export with validation on. Text is cleaned to
the SEPA Latin character set first (accents transliterated, anything else dropped), because banks
reject files with other characters even when the XSD would accept them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sepaxml import SepaTransfer
from text_unidecode import unidecode

SCHEMAS = ("pain.001.001.09", "pain.001.001.03")
DEFAULT_SCHEMA = "pain.001.001.09"

_NOT_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")


def sepa_text(value: str, max_length: int = 140, fallback: str = "NOTPROVIDED") -> str:
    """Transliterate to ASCII and keep only the SEPA character set: a-z A-Z 0-9 / - ? : ( ) . , ' + space."""
    text = _NOT_SEPA.sub("", unidecode(value or ""))
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"/{2,}", "/", text).strip("/").strip()  # no leading/trailing slash, no "//"
    return text[:max_length].strip() or fallback


@dataclass(frozen=True)
class Payment:
    name: str
    iban: str
    bic: str
    amount: int  # minor units
    description: str
    end_to_end_id: str
    address: dict  # street_name, building_number, postcode, town, country (all optional)


def build_pain001(
    *,
    debtor_name: str,
    debtor_iban: str,
    debtor_bic: str,
    currency: str,
    execution_date: dt.date,
    payments: list[Payment],
    schema: str = DEFAULT_SCHEMA,
) -> tuple[bytes, str]:
    """The XML (validated against the schema's XSD) and its message id."""
    if schema not in SCHEMAS:
        raise ValueError(f"unsupported schema {schema}")
    config = {"name": sepa_text(debtor_name, 70), "IBAN": debtor_iban, "batch": True, "currency": currency}
    if debtor_bic:
        config["BIC"] = debtor_bic
    sepa = SepaTransfer(config, schema=schema, clean=True)
    for p in payments:
        payment = {
            "name": sepa_text(p.name, 70),
            "IBAN": p.iban,
            "amount": p.amount,
            "execution_date": execution_date,
            "description": sepa_text(p.description, 140),
            "endtoend_id": p.end_to_end_id,
        }
        if p.bic:
            payment["BIC"] = p.bic
        address = {k: sepa_text(v, 70 if k == "street_name" else 35, "") for k, v in p.address.items() if v}
        address = {k: v for k, v in address.items() if v}
        # A structured address needs at least the town and country; otherwise none at all.
        if address.get("town") and address.get("country"):
            payment["address"] = address
        sepa.add_payment(payment)
    return sepa.export(validate=True), sepa.msg_id
