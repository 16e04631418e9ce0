"""`python -m bench.statement_import`: import a generated CAMT.053 with N credits that match N pending
bank-transfer contributions, and print the time beside the time lxml takes just to parse the same file.

    python -m bench.statement_import [--credits 50000] [--database-url URL] [--profile]

--profile prints where the import's time goes on stderr: cProfile's top functions and every SQL statement's
total time (BENCH_SORT=tottime to sort by own time, BENCH_CALLERS=<regex> for who calls a hot function,
BENCH_SQL_ONLY=1 for the statement times alone, without cProfile's overhead on the wall time).

Without --database-url a fresh SQLite file in a temporary directory is used; with a PostgreSQL URL, that
database is dropped and created fresh. The pending contributions are written in bulk (seeding is not timed);
the import is timed end to end: parse, store every line once, match the credits and settle the contributions
set-based (banking/batch.py, ledger.services.post_journals). Prints one JSON line:
{"credits", "parse_seconds", "import_seconds", "ratio", "check", "ledger_floor_seconds", "floor_ratio"}.

`ledger_floor_seconds` is what the database alone takes to write just the ledger rows such an import must
write — per credit two journals (the bank leg, the gift) and three transfers, monthly rollups kept by their
trigger — as two bare `INSERT … SELECT` statements each, rolled back: no parsing, no matching, no statement
lines, no Python per row. Its ratio to the parse time is a floor no implementation of this ledger goes under.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time


def _setup(database_url: str | None) -> None:
    data_dir = tempfile.mkdtemp(prefix="opencity-bench-")
    os.environ["OPENCITY_DATA_DIR"] = data_dir
    if database_url:
        from bench.__main__ import recreate_database

        recreate_database(database_url)
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "opencity.settings"
    import django

    django.setup()


def _seed(credits: int):
    from django.conf import settings
    from django.db import transaction

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from opencity.accounts.models import User
    from opencity.banking import communication, services
    from opencity.banking.models import PaymentReference
    from opencity.community.services import person_find_or_create
    from opencity.contributions.models import Contribution
    from opencity.hosting import services as hosting

    admin = User.objects.create_user(
        email="bench@example.org", password="bench-pass-1", name="Bench", email_confirmed=True
    )
    host = hosting.host_create(
        slug="bench-host", admin=admin, legal_name="Bench ASBL", iban="BE68539007547034", default_host_fee_percent=8
    )
    account = services.bank_account_main(host=host)
    collective = hosting.collective_create(user=admin, host=host, slug="bench-c", name="Bench collective")
    hosting.application_approve(application=collective.applications.get(), by=admin)
    person = person_find_or_create(email="giver@example.org", name="Giver")
    comms: set[str] = set()
    while len(comms) < credits:
        comms.add(communication.new_communication())
    comms_list = sorted(comms)
    with transaction.atomic():
        rows = Contribution.objects.bulk_create(
            [
                Contribution(
                    collective=collective,
                    person=person,
                    amount=1000 + i % 500,
                    currency="EUR",
                    payment_method="bank_transfer",
                )
                for i in range(credits)
            ],
            batch_size=2000,
        )
        if rows and rows[0].pk is None:
            rows = list(Contribution.objects.filter(collective=collective).order_by("pk"))
        PaymentReference.objects.bulk_create(
            [
                PaymentReference(communication=c, host=host, contribution=r)
                for c, r in zip(comms_list, rows, strict=True)
            ],
            batch_size=2000,
        )
    return host, account, [(r.amount, c) for r, c in zip(rows, comms_list, strict=True)]


def run(credits: int, database_url: str | None, profile: bool = False) -> dict:
    _setup(database_url)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from lxml import etree

    from opencity.banking import services
    from opencity.banking.formats.camt import _parser
    from opencity.banking.formats.writer import Entry, camt053
    from opencity.contributions import settlement
    from opencity.contributions.models import Contribution

    host, account, pending = _seed(credits)
    day = dt.date.today()
    data = camt053(
        iban=account.iban,
        entries=[
            Entry(amount, day, structured=comm, name="Giver", iban="BE71096123456769") for amount, comm in pending
        ],
        opening=0,
        start=day,
        end=day,
        stmt_id="BENCH-1",
    )
    t0 = time.perf_counter()
    root = etree.fromstring(data, parser=_parser())
    parse_seconds = time.perf_counter() - t0
    del root
    token = settlement.receipts_enabled.set(False)  # no 50,000 receipt emails queued
    try:
        if profile:
            import cProfile
            import pstats

            from django.db import connection

            statements: dict[str, list[float]] = {}

            def timed(execute, sql, params, many, context):
                t = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    statements.setdefault(" ".join(sql.split())[:90], []).append(time.perf_counter() - t)

            wrapper = connection.execute_wrapper(timed)
            wrapper.__enter__()
            prof = cProfile.Profile()
            if not os.environ.get("BENCH_SQL_ONLY"):  # statement times only: the wall time stays honest
                prof.enable()
        t0 = time.perf_counter()
        result = services.statement_import(host=host, data=data, system=True)
        import_seconds = time.perf_counter() - t0
        if profile:
            prof.disable()
            wrapper.__exit__(None, None, None)
            print(f"SQL total {sum(sum(t) for t in statements.values()):.3f}s", file=sys.stderr)
            if not os.environ.get("BENCH_SQL_ONLY"):
                stats = pstats.Stats(prof, stream=sys.stderr).sort_stats(os.environ.get("BENCH_SORT", "cumulative"))
                stats.print_stats(45)
                if os.environ.get("BENCH_CALLERS"):
                    stats.print_callers(os.environ["BENCH_CALLERS"])
            top = sorted(statements.items(), key=lambda kv: -sum(kv[1]))[:25]
            for sql, times in top:
                print(f"{sum(times):8.3f}s {len(times):6d}x  {sql}", file=sys.stderr)
    finally:
        settlement.receipts_enabled.reset(token)
    paid = Contribution.objects.filter(status=Contribution.Status.PAID).count()
    floor = _ledger_floor(credits, host, account)
    check = "ok"
    try:
        call_command("check_ledger", verbosity=0)
    except SystemExit as exc:  # pragma: no cover - reported
        check = f"failed: {exc}"
    return {
        "credits": credits,
        "bytes": len(data),
        "matched": result.matched,
        "paid": paid,
        "parse_seconds": round(parse_seconds, 3),
        "import_seconds": round(import_seconds, 3),
        "ratio": round(import_seconds / parse_seconds, 1),
        "check": check,
        "ledger_floor_seconds": round(floor, 3),
        "floor_ratio": round(floor / parse_seconds, 1),
    }


FLOOR_JOURNALS = """
    WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s)
    INSERT INTO ledger_journal (public_id, host_id, kind, description, idempotency_key, effective_date, created_at,
        source_type, source_id, anonymous, counterparty_label, reason)
    SELECT %s || n, %s, %s, 'Bank transfer received', %s || n, %s, %s, 'floor', %s || n, FALSE, '', '' FROM g
"""
FLOOR_TRANSFERS = """
    INSERT INTO ledger_transfer (journal_id, debit_account_id, credit_account_id, amount, currency, kind, description,
        idempotency_key, effective_date, created_at)
    SELECT j.id, leg.debit, leg.credit, leg.amount, 'EUR', leg.kind, '', j.idempotency_key || ':' || leg.n,
        j.effective_date, j.created_at
    FROM ledger_journal j JOIN (
        SELECT 'settlement' AS jk, 0 AS n, %s AS debit, %s AS credit, 1000 AS amount, 'settlement' AS kind
        UNION ALL SELECT 'contribution', 0, %s, %s, 1000, 'contribution'
        UNION ALL SELECT 'contribution', 1, %s, %s, 80, 'host_fee'
    ) leg ON leg.jk = j.kind
    WHERE j.source_type = 'floor'
"""


class _RolledBack(Exception):
    pass


def _ledger_floor(credits: int, host, account) -> float:
    """Seconds to INSERT the ledger rows of `credits` matched credits, set-based, in a rolled-back transaction."""
    from django.db import connection, transaction
    from django.utils import timezone

    from opencity.banking import matching
    from opencity.ledger import services as ledger
    from opencity.ledger.models import AccountKind

    collective = host.collectives.get(slug="bench-c")
    bank = matching.bank_ledger_account(account).pk
    clearing = ledger.host_account(host, AccountKind.CLEARING, processor=matching.PROCESSOR).pk
    funds = ledger.funds_account(collective).pk
    fees = ledger.host_account(host, AccountKind.HOST_FEES).pk
    day, now = dt.date.today(), timezone.now()
    t0 = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for kind in ("settlement", "contribution"):
                tag = f"f{kind[:2]}"
                cursor.execute(FLOOR_JOURNALS, [credits, tag, host.pk, kind, f"floor:{tag}:", day, now, tag])
            cursor.execute(FLOOR_TRANSFERS, [bank, clearing, clearing, funds, funds, fees])
            if cursor.rowcount not in (-1, 3 * credits):  # pragma: no cover - a broken floor is no floor
                raise SystemExit(f"floor wrote {cursor.rowcount} transfers, not {3 * credits}")
            seconds = time.perf_counter() - t0
            raise _RolledBack
    except _RolledBack:
        pass
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--credits", type=int, default=50_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--profile", action="store_true", help="print where the import's time goes (stderr)")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.credits, args.database_url, args.profile)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
