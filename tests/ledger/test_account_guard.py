"""Issue 9 item 4: account identity and the overdraft guard are immutable at the database; check-ledger
catches every tampering the triggers must allow (cached totals, inserted transfers) and names the breach."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from opencity.ledger import services as ledger
from opencity.ledger.errors import InsufficientFunds
from opencity.ledger.models import Account, AccountKind
from tests.conftest import make_collective, make_host
from tests.ledger.helpers import contribute, spend


def _raw(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


def _breaches() -> str:
    """check-ledger's stderr (one line per breach); it must refuse."""
    import io

    err = io.StringIO()
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("check_ledger", stderr=err)
    return err.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "column, value",
    [
        ("debits_must_not_exceed_credits", False),
        ("collective_id", "other"),
        ("host_id", "other_host"),
        ("kind", "host_fees"),
        ("processor", "stripe"),
        ("currency", "USD"),
    ],
)
def test_triggers_refuse_changing_an_accounts_identity_or_guard(collective, column, value):
    contribute(collective, 1000)
    funds = ledger.funds_account(collective)
    other = make_collective(collective.host)
    ledger.funds_account(other)
    params = {"other": other.pk, "other_host": make_host().pk}.get(value, value) if isinstance(value, str) else value
    with pytest.raises(DatabaseError):
        _raw(f"UPDATE ledger_account SET {column} = %s WHERE id = %s", [params, funds.pk])
    funds.refresh_from_db()
    assert funds.collective_id == collective.pk and funds.debits_must_not_exceed_credits
    assert funds.host_id == collective.host_id and funds.kind == AccountKind.COLLECTIVE_FUNDS
    assert funds.currency == "EUR" and funds.processor == ""
    call_command("check_ledger")


@pytest.mark.django_db
def test_the_issue_scenario_flag_off_then_overdraw_is_refused(collective):
    """Issue: flag off on a funds account, then a €50 expense against €10 → −€40 unnoticed. Now refused twice."""
    contribute(collective, 1000)
    funds = ledger.funds_account(collective)
    before = funds.balance
    with pytest.raises(DatabaseError):
        _raw("UPDATE ledger_account SET debits_must_not_exceed_credits = %s WHERE id = %s", [False, funds.pk])
    with pytest.raises(InsufficientFunds):
        spend(collective, 5000)
    assert ledger.funds_account(collective).balance == before > 0
    call_command("check_ledger")


@pytest.mark.django_db
def test_a_funds_account_without_the_guard_cannot_even_be_inserted(collective):
    other = make_collective(collective.host)
    with pytest.raises(DatabaseError):
        _raw(
            "INSERT INTO ledger_account (host_id, kind, collective_id, processor, currency, "
            "debits_must_not_exceed_credits, debits_posted, credits_posted, created_at) "
            "VALUES (%s, 'funds', %s, '', 'EUR', %s, 0, 0, CURRENT_TIMESTAMP)",
            [collective.host_id, other.pk, False],
        )


@pytest.mark.django_db
def test_saving_an_account_unchanged_is_allowed(collective):
    funds = ledger.funds_account(collective)
    funds.save()  # writes every column with the same values: the trigger refuses changes only
    Account.objects.filter(pk=funds.pk).update(credits_posted=funds.credits_posted)


@pytest.mark.django_db
def test_check_ledger_names_cached_totals_changed_by_hand(collective):
    contribute(collective, 1000)
    funds = ledger.funds_account(collective)
    _raw("UPDATE ledger_account SET credits_posted = credits_posted + 100000 WHERE id = %s", [funds.pk])
    assert "cached totals differ" in _breaches()


@pytest.mark.django_db
def test_check_ledger_names_a_funds_account_overdrawn_by_an_inserted_transfer(collective):
    """Inserting transfers is what posting does, so no trigger refuses it: check-ledger must find it."""
    contribute(collective, 1000)
    journal = spend(collective, 400)
    funds = ledger.funds_account(collective)
    bank = ledger.host_account(collective.host, AccountKind.BANK)
    _raw(
        "INSERT INTO ledger_transfer (journal_id, debit_account_id, credit_account_id, amount, currency, kind, "
        "description, idempotency_key, effective_date, created_at) "
        "VALUES (%s, %s, %s, 5000, 'EUR', 'expense', '', 'tampered', CURRENT_DATE, CURRENT_TIMESTAMP)",
        [journal.pk, funds.pk, bank.pk],
    )
    err = _breaches()
    assert (
        "cached totals differ" in err
        and f"below zero: account {funds.pk} (funds)" in err
        and "by its transfers -4480" in err
    )


@pytest.mark.django_db
def test_check_ledger_cli_exits_non_zero_naming_the_breach(collective, capsys):
    contribute(collective, 1000)
    funds = ledger.funds_account(collective)
    _raw("UPDATE ledger_account SET debits_posted = 7 WHERE id = %s", [funds.pk])
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exc:
        ManagementUtility(["opencity", "check_ledger"]).execute()
    assert exc.value.code == 1
    assert f"cached totals differ: account {funds.pk} (funds)" in capsys.readouterr().err
