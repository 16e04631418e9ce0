"""The database refuses to edit history; check-ledger finds any breach."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from opencity.ledger import services as ledger
from opencity.ledger.models import Account, Journal, Transfer
from tests.ledger.helpers import contribute


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_transfer SET amount = 1",
        "DELETE FROM ledger_transfer",
        "DELETE FROM ledger_journal",
        "UPDATE ledger_journal SET idempotency_key = 'x'",
        "UPDATE ledger_journal SET effective_date = '2000-01-01'",
    ],
)
def test_database_triggers_refuse_editing_history(collective, sql):
    contribute(collective, 1000, fee=39)
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    assert Transfer.objects.count() == 3 and Journal.objects.count() == 1


@pytest.mark.django_db
def test_check_ledger_clean_and_summary(collective, capsys):
    contribute(collective, 1000, fee=39)
    call_command("check_ledger")
    out = capsys.readouterr().out
    assert out.startswith("ledger OK:") and "3 transfers" in out and out.count("\n") == 1


@pytest.mark.django_db
def test_check_ledger_finds_cached_totals_out_of_step(collective):
    contribute(collective, 1000)
    # Simulate a bug that bumped the cache without a transfer (accounts are not immutable, transfers are).
    Account.objects.filter(pk=ledger.funds_account(collective).pk).update(credits_posted=5000)
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("check_ledger")


@pytest.mark.django_db
def test_check_ledger_finds_a_journal_without_transfers(collective):
    Journal.objects.create(host=collective.host, kind="contribution", idempotency_key="empty")
    with pytest.raises(CommandError):
        call_command("check_ledger")


@pytest.mark.django_db
def test_check_ledger_cli_exits_1_on_breach(collective):
    contribute(collective, 1000)
    Account.objects.filter(pk=ledger.funds_account(collective).pk).update(debits_posted=7)
    with pytest.raises(SystemExit) as exc:
        from django.core.management import ManagementUtility

        ManagementUtility(["opencity", "check_ledger"]).execute()
    assert exc.value.code == 1
