"""pain.001 files: valid against the XSD (.09 and .03), every amount, IBAN and end-to-end id read back."""

import os
from decimal import Decimal

import pytest
import sepaxml
from django.core.management import call_command
from lxml import etree

from opencity.expenses import payouts
from opencity.expenses.sepa import sepa_text
from tests.expenses.conftest import approved, payee

pytestmark = pytest.mark.django_db

XSD_DIR = os.path.join(os.path.dirname(sepaxml.__file__), "schemas")


def _validate(xml: bytes, schema: str):
    xsd = etree.XMLSchema(etree.parse(os.path.join(XSD_DIR, f"{schema}.xsd")))
    doc = etree.fromstring(xml)
    xsd.assertValid(doc)
    return doc


def test_sepa_text_cleans_to_the_sepa_character_set():
    assert sepa_text("Zoë Ñúñez & Fils — «Café»") == "Zoe Nunez Fils -- Cafe"
    assert sepa_text("Ahmed عربي") == "Ahmed rby"  # transliterated too
    assert sepa_text("a//b@c#d") == "a/bcd"
    assert sepa_text("   ") == "NOTPROVIDED"
    assert sepa_text("x" * 200, 70) == "x" * 70


@pytest.mark.parametrize("schema", ["pain.001.001.09", "pain.001.001.03"])
def test_batch_file_validates_and_reads_back(world, schema):
    w = world
    expenses = [
        approved(w.collective, w.submitter, 1234, payee=payee(holder="Zoë Ñúñez & Fils <ltd>")),
        approved(w.collective, w.submitter, 99_99, payee=payee(holder="Ahmed عربي El-Amrani")),
        approved(
            w.collective,
            w.submitter,
            5000,
            type="invoice",
            title="Imprimerie «Le Lys»",
            payee=payee(
                holder="Imprimerie Le Lys SRL",
                type="organisation",
                name="Imprimerie Le Lys SRL",
                address={
                    "street": "Chaussée de Waterloo",
                    "number": "12",
                    "postcode": "1060",
                    "town": "Saint-Gilles",
                    "country": "BE",
                },
            ),
        ),
    ]
    batch = payouts.payout_batch_create(host=w.host, by=w.host_admin, schema=schema)
    with batch.file.open("rb") as f:
        xml = f.read()
    doc = _validate(xml, schema)
    ns = {"p": f"urn:iso:std:iso:20022:tech:xsd:{schema}"}
    txs = doc.findall(".//p:CdtTrfTxInf", ns)
    assert len(txs) == 3
    got = {
        tx.findtext("p:PmtId/p:EndToEndId", namespaces=ns): (
            Decimal(tx.findtext("p:Amt/p:InstdAmt", namespaces=ns)),
            tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=ns),
            tx.findtext("p:Cdtr/p:Nm", namespaces=ns),
        )
        for tx in txs
    }
    lines = {line.end_to_end_id: line for line in batch.lines.select_related("expense__payout_method")}
    assert set(got) == set(lines)
    for e2e, (amount, iban, name) in got.items():
        line = lines[e2e]
        assert amount == Decimal(line.amount) / 100
        assert iban == line.expense.payout_method.iban
        assert all(c.isascii() for c in name) and "&" not in name and "<" not in name
    names = {v[2] for v in got.values()}
    assert "Zoe Nunez Fils ltd" in names and "Ahmed rby El-Amrani" in names
    assert doc.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=ns) == "3"
    assert (
        Decimal(doc.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=ns)) == Decimal(sum(e.amount for e in expenses)) / 100
    )
    # the organisation's structured address is there; the people without one have none
    assert len(doc.findall(".//p:Cdtr/p:PstlAdr", ns)) == 1
    assert doc.findtext(".//p:Cdtr/p:PstlAdr/p:TwnNm", namespaces=ns) == "Saint-Gilles"


def test_payouts_command_writes_the_file(world, tmp_path):
    w = world
    approved(w.collective, w.submitter, 70_000)
    approved(w.collective, w.submitter, 20_000)
    approved(w.collective, w.submitter, 20_000)  # cannot be afforded with the other two
    out = tmp_path / "payouts.xml"
    call_command("payouts", "--host", w.host.slug, "--out", str(out), verbosity=0)
    doc = _validate(out.read_bytes(), "pain.001.001.09")
    assert len(doc.findall(".//{*}CdtTrfTxInf")) == 2
