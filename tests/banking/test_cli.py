"""`opencity import-statement --host <slug> FILE…`: every shared sample file imports, twice changes nothing."""

import pytest

from opencity.banking import services
from opencity.banking.models import BankAccount, BankStatement, BankStatementLine
from tests.banking.files import shared_bank_dir
from tests.banking.test_formats import SAMPLES
from tests.conftest import make_host

pytestmark = pytest.mark.django_db(transaction=True)


def test_import_statement_command_with_every_shared_file(cli_run, tmp_path):
    host = make_host()
    services.bank_account_main(host=host)
    # The samples' account numbers are anonymised (some fail the IBAN checksum, so the service would refuse
    # them): registered as rows directly, as other accounts of the host.
    for ibans in SAMPLES.values():
        for iban, *_ in ibans:
            if not BankAccount.objects.filter(iban=iban).exists():
                BankAccount.objects.create(host=host, iban=iban, beneficiary="Host", ledger_processor=f"bank:{iban}")
    files = [str(shared_bank_dir() / name) for name in sorted(SAMPLES)]
    first = cli_run("import-statement", "--host", host.slug, *files)
    assert first.returncode == 0, first.stderr
    # The single statement is also the first of the multi-statement file: stored once.
    statements = {(s.bank_account.iban, s.opening_balance, s.closing_balance) for s in BankStatement.objects.all()}
    expected = {(iban, opening, closing) for v in SAMPLES.values() for iban, _n, opening, closing in v}
    assert statements == expected
    assert BankStatement.objects.count() == 6
    assert BankStatementLine.objects.count() == 4 + 59 + 5 + 17 + 11 + 4
    again = cli_run("import-statement", "--host", host.slug, *files)
    assert again.returncode == 0, again.stderr
    assert "0 new lines" in again.stdout
    assert BankStatementLine.objects.count() == 100


def test_import_statement_refuses_bad_file(cli_run, tmp_path):
    host = make_host()
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>")
    result = cli_run("import-statement", "--host", host.slug, str(bad))
    assert result.returncode != 0 and "refused" in result.stderr
    assert BankStatementLine.objects.count() == 0
