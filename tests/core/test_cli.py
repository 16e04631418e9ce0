"""The `opencity` console script maps friendly names onto the management commands."""

import pytest

from opencity import cli


def test_help_lists_the_commands(capsys):
    cli.main(["--help"])
    out = capsys.readouterr().out
    for name in ("serve", "demo", "worker", "token", "createhost", "check-ledger", "payouts"):
        assert name in out


@pytest.mark.django_db(transaction=True)
def test_demo_check_and_check_ledger_through_the_script(cli_run):
    first = cli_run("demo")
    assert first.returncode == 0, first.stderr
    assert "Demo ready" in first.stdout and "admin@brusselstogether.example" in first.stdout
    again = cli_run("demo")
    assert again.returncode == 1 and "not seeding twice" in again.stderr
    ledger = cli_run("check-ledger")
    assert ledger.returncode == 0, ledger.stderr
    assert "ledger OK" in ledger.stdout
    check = cli_run("check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Configuration looks good." in check.stdout
