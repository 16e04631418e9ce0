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


def test_demo_on_a_fresh_data_folder_migrates_first(tmp_path):
    """No tables yet (a new OPENCITY_DATA_DIR, SQLite): `opencity demo` creates them, no traceback."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "EMAIL_URL"}}
    env["OPENCITY_DATA_DIR"] = str(tmp_path / "fresh")
    proc = subprocess.run(
        [sys.executable, "-m", "opencity.cli", "demo"], env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Demo ready" in proc.stdout
    assert (tmp_path / "fresh" / "opencity.sqlite3").exists()
