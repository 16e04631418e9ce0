"""Reading statement files: every real sample, crafted files in every CAMT version, and refusals."""

import pytest

from opencity.banking.formats import StatementFileError, parse
from tests.banking.files import Line, camt053, coda, shared_bank_dir

# file → [(iban, lines, opening, closing)] per statement, read from the files by hand.
SAMPLES = {
    "camt053-oca-bank-statement-import.xml": [("NL77ABNA0574908765", 4, 1556827, 1512112)],
    "coda-tryton.txt": [("BE47435000000080", 59, 0, 940529699)],
    "coda-oca-l10n-belgium.txt": [("BE46737018594236", 5, 1181270, 1364605)],
    "coda-acsone-single-statement.txt": [("BE86407051416150", 17, 0, 0)],
    "coda-acsone-multi-statements.txt": [
        ("BE86407051416150", 17, 0, 0),
        ("BE12341702625236", 11, 1933809, 1080781),
    ],
    "coda-acsone-globalisation.txt": [("BE12341676096039", 4, -45517, 27527053)],
}


def test_every_shared_sample_is_listed():
    files = {p.name for p in shared_bank_dir().iterdir() if p.suffix in (".xml", ".txt")}
    assert files == set(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_shared_samples_parse_with_right_counts_and_balances(name):
    statements = parse((shared_bank_dir() / name).read_bytes())
    got = [(s.iban, len(s.lines), s.opening_balance, s.closing_balance) for s in statements]
    assert got == SAMPLES[name]
    for s in statements:
        assert len({ln.key for ln in s.lines}) == len(s.lines)
        assert all(isinstance(ln.amount, int) and ln.amount for ln in s.lines)


def test_shared_structured_communications_are_found():
    oca = parse((shared_bank_dir() / "coda-oca-l10n-belgium.txt").read_bytes())[0]
    assert [ln.structured_communication for ln in oca.lines if ln.structured_communication] == ["240283842818"]
    tryton = parse((shared_bank_dir() / "coda-tryton.txt").read_bytes())[0]
    assert sum(1 for ln in tryton.lines if ln.structured_communication) == 2


def test_globalised_details_are_not_booked_twice():
    st = parse((shared_bank_dir() / "coda-acsone-globalisation.txt").read_bytes())[0]
    assert st.opening_balance + sum(ln.amount for ln in st.lines) == st.closing_balance


@pytest.mark.parametrize("version", ["02", "03", "04", "05", "06", "07", "08"])
def test_crafted_camt_every_version(version):
    data = camt053(
        iban="BE68539007547034",
        version=version,
        opening=1000,
        lines=[Line(2500, "090933755493"), Line(-700, "fee", structured=False)],
    )
    (st,) = parse(data)
    assert (st.opening_balance, st.closing_balance, len(st.lines)) == (1000, 2800, 2)
    assert st.lines[0].structured_communication == "090933755493"
    assert st.lines[1].amount == -700


def test_crafted_coda():
    data = coda(
        iban="BE68539007547034", opening=500, lines=[Line(2500, "090933755493"), Line(-300, "Frais", structured=False)]
    )
    (st,) = parse(data)
    assert (st.iban, st.opening_balance, st.closing_balance) == ("BE68539007547034", 500, 2700)
    assert [ln.amount for ln in st.lines] == [2500, -300]
    assert st.lines[0].structured_communication == "090933755493"
    assert st.lines[0].counterparty_iban == "BE71096123456769"


XXE = b"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>&x;</Id></Stmt></BkToCstmrStmt></Document>"""
LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&lol3;</Document>"""


def _good_camt():
    return camt053(iban="BE68539007547034", lines=[Line(2500, "090933755493")])


def _good_coda():
    return coda(iban="BE68539007547034", lines=[Line(2500, "090933755493")])


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (XXE, "unsafe_xml"),
        (LAUGHS, "unsafe_xml"),
        (b"", "invalid_statement_file"),
        (b"%PDF-1.4 not a statement", "invalid_statement_file"),
        (b"<html><body>hello</body></html>", "not_camt053"),
        (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.054.001.02'/>", "not_camt053"),
        (_good_camt()[:-200], "malformed_statement"),
        (_good_coda()[: 130 * 3 + 6], "malformed_coda"),
        (b"\r\n".join(_good_coda().split(b"\r\n")[:4]), "truncated_coda"),
        (_good_coda().replace(b"\r\n", b"\r\n ", 1), "malformed_coda"),
    ],
)
def test_bad_files_are_refused_with_a_code(data, code):
    with pytest.raises(StatementFileError) as err:
        parse(data)
    assert err.value.code == code
    assert str(err.value)


def test_oversized_file_refused(settings):
    settings.BANK_STATEMENT_MAX_BYTES = 1000
    with pytest.raises(StatementFileError) as err:
        parse(_good_camt() + b" " * 1000)
    assert err.value.code == "statement_too_large"


def test_coda_with_wrong_totals_refused():
    data = _good_coda()
    lines = data.split(b"\r\n")
    lines[-2] = lines[-2][:37] + b"000000000099990" + lines[-2][52:]
    with pytest.raises(StatementFileError) as err:
        parse(b"\r\n".join(lines))
    assert err.value.code == "coda_totals"
