"""Monthly rollups: kept by the database on every transfer insert, equal to the sums of the transfers, and the
pages' figures read from them are the figures the transfers give (tests/ledger/direct_sums.py)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opencity.hosting.models import Host
from opencity.ledger import services as ledger
from opencity.ledger.checks import ledger_breaches
from opencity.ledger.errors import AlreadyReversed, InsufficientFunds, LedgerError
from opencity.ledger.models import AccountKind, Journal, MonthlyRollup, Transfer, TransferKind
from opencity.ledger.rollups import rebuild_rollups, rollup_differences
from opencity.ledger.selectors import balances_at
from opencity.stories.front import money_at_a_glance
from opencity.transparency import insights, selectors
from tests.conftest import enable_2fa, make_collective
from tests.ledger import direct_sums as direct
from tests.ledger.helpers import contribute, key

pytestmark = pytest.mark.django_db


def _dates_around(today: dt.date, months: int) -> list[dt.date]:
    """Today, a year ago, the day before everything, and month edges and middles over `months` months."""
    out = [today, today - dt.timedelta(days=365), dt.date(2000, 1, 1)]
    month = today.replace(day=1)
    for _ in range(months):
        out += [month, month + dt.timedelta(days=14), month - dt.timedelta(days=1)]
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return out


def assert_figures_match(host, dates: list[dt.date]) -> None:
    assert rollup_differences(connection) == []
    for funds in host.ledger_accounts.filter(kind=AccountKind.COLLECTIVE_FUNDS).select_related("collective"):
        for since in dates:
            assert selectors._raised_spent(funds, since=since) == direct.raised_spent(funds, since), (funds, since)
        assert selectors.collective_monthly_flows(funds.collective, 16) == direct.collective_monthly_flows(funds, 16)
        totals = selectors.collective_totals(funds.collective)
        want = direct.raised_spent(funds, timezone.localdate() - dt.timedelta(days=365))
        assert (totals["total_raised"], totals["total_spent"], totals["yearly_budget_estimate"]) == (
            want["raised"],
            want["spent"],
            want["recent_raised"],
        )
        assert totals["total_raised"] - totals["total_spent"] == totals["balance"]
    assert selectors.host_monthly_flows(host, 16) == direct.host_monthly_flows(host, 16)
    glance = money_at_a_glance(host)
    for period, days in insights.PERIODS.items():
        since = None if days is None else timezone.localdate() - dt.timedelta(days=days)
        assert insights.collective_raised(host, period) == direct.collective_raised(host, since), period
    assert (glance["raised"], glance["spent"]) == direct.money_at_a_glance(host)
    for at in dates:
        got = {
            r["account"].pk: (r["debits"], r["credits"]) for r in balances_at(host, at) if r["debits"] or r["credits"]
        }
        assert got == {pk: v for pk, v in direct.balances_at(host, at).items() if v != (0, 0)}, at


def test_demo_figures_from_rollups_equal_direct_sums():
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    host = Host.objects.get(profile__slug="brusselstogether")
    assert MonthlyRollup.objects.filter(account__host=host).count() > 20
    assert Transfer.objects.filter(reversal_of__isnull=False).exists()  # the demo has reversals and refunds
    assert Transfer.objects.filter(kind=TransferKind.COLLECTIVE_TRANSFER).exists()
    assert_figures_match(host, _dates_around(timezone.localdate(), 13)[::2])
    assert ledger_breaches()[0] == []


def test_one_insert_of_many_transfers_is_rolled_up_by_the_database(collective):
    """Any insert path keeps the rollups (a set-based import writes transfers without post_journal)."""
    contribute(collective, 1000)
    funds = ledger.funds_account(collective)
    bank = ledger.host_account(collective.host, AccountKind.BANK)
    journal = Journal.objects.create(host=collective.host, kind="expense", idempotency_key=key("bulk"))
    day = dt.date(2024, 2, 10)
    Transfer.objects.bulk_create(
        [
            Transfer(
                journal=journal,
                debit_account=funds,
                credit_account=bank,
                amount=a,
                currency="EUR",
                kind="expense",
                idempotency_key=key("bulk-t"),
                effective_date=day + dt.timedelta(days=a),
            )
            for a in (1, 2, 3, 25)
        ]
    )
    rows = {
        (r.account_id, r.month): (r.debits, r.credits, r.count)
        for r in MonthlyRollup.objects.filter(kind="expense", month__lt=dt.date(2025, 1, 1))
    }
    assert rows == {
        (funds.pk, dt.date(2024, 2, 1)): (6, 0, 3),
        (funds.pk, dt.date(2024, 3, 1)): (25, 0, 1),
        (bank.pk, dt.date(2024, 2, 1)): (0, 6, 3),
        (bank.pk, dt.date(2024, 3, 1)): (0, 25, 1),
    }
    assert rollup_differences(connection) == []


def test_check_ledger_reports_a_rollup_out_of_step_and_rebuild_repairs_it(collective):
    contribute(collective, 1000, fee=39)
    funds = ledger.funds_account(collective)
    MonthlyRollup.objects.filter(account=funds, kind="contribution").update(credits=5)
    breaches, _ = ledger_breaches()
    assert any(b.startswith("rollup differs: account") and "contribution" in b for b in breaches), breaches
    rebuild_rollups(connection)  # what migration 0010 runs for existing transfers
    assert ledger_breaches()[0] == []
    assert MonthlyRollup.objects.get(account=funds, kind="contribution").credits == 1000


def test_rollup_of_a_reversal_carries_the_kind_it_reverses(collective):
    j = contribute(collective, 2000)
    ledger.journal_reverse(journal=j, idempotency_key=key("refund"), reason="Asked back", kind=TransferKind.REFUND)
    funds = ledger.funds_account(collective)
    row = MonthlyRollup.objects.get(account=funds, kind=TransferKind.REFUND)
    assert (row.reversal_kind, row.debits, row.credits, row.count) == (TransferKind.CONTRIBUTION, 2000, 0, 1)


# --- hypothesis: random journals, reversals and refunds -------------------------------------------------

DAYS_BACK = st.integers(0, 480)
AMOUNTS = st.integers(1, 40_000)
OPS = st.one_of(
    st.tuples(st.just("contribute"), st.integers(0, 2), AMOUNTS, st.integers(0, 300), DAYS_BACK),
    st.tuples(st.just("added"), st.integers(0, 2), AMOUNTS, st.booleans(), DAYS_BACK),
    st.tuples(st.just("expense"), st.integers(0, 2), AMOUNTS, DAYS_BACK),
    st.tuples(st.just("gift"), st.integers(0, 2), st.integers(0, 2), AMOUNTS, DAYS_BACK),
    st.tuples(st.just("reverse"), st.integers(0, 30), DAYS_BACK),
    st.tuples(st.just("refund"), st.integers(0, 30), DAYS_BACK),
)


@pytest.fixture
def world(host):
    collectives = [make_collective(host) for _ in range(3)]
    ledger.host_open_accounts(host=host)
    for c in collectives:
        ledger.funds_account(c)
    return host, collectives, enable_2fa(host.admins.first()), {c.pk: enable_2fa(c.admins.first()) for c in collectives}


def _apply(op, host, collectives, host_admin, admins, journals: list, today: dt.date) -> None:
    name, *args, days_back = op
    day = today - dt.timedelta(days=days_back)
    if name == "contribute":
        c, amount, fee = collectives[args[0]], args[1], min(args[2], args[1] // 2)
        journals.append(contribute(c, amount, fee=fee, effective_date=day))
    elif name == "added":
        c, amount, charge = collectives[args[0]], args[1], args[2]
        journals.append(
            ledger.added_funds_record(
                collective=c, amount=amount, source="sponsor", description="grant", charge_host_fee=charge,
                by=host_admin, date=day,
            )
        )  # fmt: skip
    elif name == "expense":
        c = collectives[args[0]]
        legs = [ledger.Leg(ledger.funds_account(c), ledger.host_account(host, AccountKind.BANK), args[1], "expense")]
        journals.append(
            ledger.post_journal(host=host, idempotency_key=key("e"), kind="expense", legs=legs, effective_date=day)
        )
    elif name == "gift":
        giver, receiver = collectives[args[0]], collectives[args[1]]
        if giver.pk == receiver.pk:
            return
        journals.append(
            ledger.collective_transfer(
                from_collective=giver, to_collective=receiver, amount=args[2], description="tools",
                by=admins[giver.pk], effective_date=day,
            )
        )  # fmt: skip
    elif journals:  # reverse / refund one of the journals posted so far
        target = journals[args[0] % len(journals)]
        kind = TransferKind.REFUND if name == "refund" and target.kind == TransferKind.CONTRIBUTION else None
        journals.append(
            ledger.journal_reverse(
                journal=target, idempotency_key=key("r"), reason="undo", kind=kind, effective_date=day
            )
        )


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, min_size=1, max_size=14))
def test_rollups_equal_the_sums_of_transfers_after_random_journals(world, ops):
    host, collectives, host_admin, admins = world
    today = timezone.localdate()
    with transaction.atomic():
        for c in collectives:
            c.__dict__.pop("_ledger_accounts", None)  # accounts memo: rebuilt from this example's database
        journals: list = []
        for op in ops:
            try:
                with transaction.atomic():
                    _apply(op, host, collectives, host_admin, admins, journals, today)
            except (InsufficientFunds, AlreadyReversed, LedgerError):
                pass
        assert ledger_breaches()[0] == []
        assert_figures_match(host, _dates_around(today, 16)[::5])
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
def test_migration_builds_rollups_for_existing_transfers(collective):
    """Migration 0010 on a database that already has transfers: rollups for all of them, then kept."""
    from django.db.migrations.executor import MigrationExecutor

    j = contribute(collective, 1500, fee=40)
    ledger.journal_reverse(journal=j, idempotency_key=key("rev"), reason="twice", effective_date=dt.date(2025, 3, 9))
    executor = MigrationExecutor(connection)
    executor.migrate([("ledger", "0009_merge_20261201_0730")])  # the rollups go, the transfers stay
    assert "ledger_monthlyrollup" not in connection.introspection.table_names()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # 0010_monthly_rollups and everything after
    funds = ledger.funds_account(collective)
    rows = MonthlyRollup.objects.filter(account=funds)
    assert sorted((r.month.isoformat(), r.kind, r.reversal_kind) for r in rows) == [
        ("2025-03-01", kind, kind) for kind in ("contribution", "host_fee", "processor_fee")
    ] + [
        (timezone.localdate().replace(day=1).isoformat(), kind, "")
        for kind in ("contribution", "host_fee", "processor_fee")
    ]
    assert rollup_differences(connection) == []
    contribute(collective, 700)
    assert rollup_differences(connection) == [] and ledger_breaches()[0] == []
