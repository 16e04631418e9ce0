"""Build one bench database (its own process: Django reads DATABASE_URL once) and print one JSON line.

python -m bench.scale.build --database-url URL --transfers N     # migrate, demo, grow, check, analyze
python -m bench.scale.build --database-url URL --copy            # COPY rows/s of the exports' queries
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
import time

from bench.scale.grow import grow

HOST = "brusselstogether"


def setup(database_url: str, data_dir: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["OPENCITY_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "opencity.settings"
    import django

    django.setup()


def rebuild_rollups(cursor) -> str:
    """The monthly rollups recomputed from the transfers (the database's trigger already kept them while the
    history grew; rebuilding is the belt to those braces, and check-ledger compares them afterwards)."""
    from django.db import connection

    from opencity.ledger.rollups import rebuild_rollups as rebuild

    rebuild(connection)
    cursor.execute("SELECT count(*) FROM ledger_monthlyrollup")
    return f"{cursor.fetchone()[0]:,} rollup rows"


def build(transfers: int) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from opencity.accounts.models import User
    from opencity.contributions.models import Tier
    from opencity.hosting.models import Collective, Host
    from opencity.ledger import services as ledger
    from opencity.ledger.checks import ledger_breaches
    from opencity.ledger.models import AccountKind, Journal, Transfer

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo", stdout=io.StringIO())
    seeded = time.perf_counter()
    host = Host.objects.select_related("profile").get(profile__slug=HOST)
    collective = (
        Collective.objects.filter(host=host, status="active").exclude(pk=host.profile_id).order_by("pk").first()
    )
    from opencity.transparency.statements import statement_transfers

    before = statement_transfers(ledger.funds_account(collective)).count()
    people = list(
        Journal.objects.filter(person__isnull=False).order_by().values_list("person_id", flat=True).distinct()[:200]
    )
    tier = Tier.objects.filter(collective=collective).order_by("pk").values_list("name", flat=True).first()
    with transaction.atomic(), connection.cursor() as c:
        added = grow(
            c,
            transfers=max(0, transfers - before),
            host=host.pk,
            funds=ledger.funds_account(collective).pk,
            clearing=ledger.host_account(host, AccountKind.CLEARING, "stripe").pk,
            processor_fees=ledger.host_account(host, AccountKind.PROCESSOR_FEES, "stripe").pk,
            host_fees=ledger.host_account(host, AccountKind.HOST_FEES).pk,
            currency=host.currency,
            fee_per_10000=ledger.host_fee_for(collective, 10000),
            people=people,
            tier=tier or "Supporter",
        )
        rollups = rebuild_rollups(c)
    grown = time.perf_counter()
    breaches, _ = ledger_breaches()
    if breaches:
        raise SystemExit(f"check-ledger: {breaches[:5]}")
    connection.close()
    with connection.cursor() as c:  # autocommit: VACUUM may not run in a transaction
        c.execute("VACUUM ANALYZE")
    client = Client()
    admin = User.objects.get(email="admin@brusselstogether.example")
    client.force_login(admin)
    return {
        "slug": collective.slug,
        "host": HOST,
        "transfers": Transfer.objects.count(),
        "grown": added,
        "collective_transfers": before + added,
        "rollups": rollups,
        "session": client.cookies["sessionid"].value,
        "cursors": deep_cursors(collective),
        "seconds": {
            "migrate_and_demo": round(seeded - t0, 1),
            "grow": round(grown - seeded, 1),
            "total": round(time.perf_counter() - t0, 1),
        },
    }


def deep_cursors(collective) -> dict:
    """Cursors of a page about three years back (in 2023 for the issue's table), for the page and the API."""
    from opencity.core.cursors import encode_cursor
    from opencity.transparency.selectors import statement_account_or_none
    from opencity.transparency.statements import statement_transfers

    day = dt.date.today() - dt.timedelta(days=3 * 365)
    t = statement_transfers(statement_account_or_none(collective), date_to=day).first()
    return {
        "date": t.effective_date.isoformat(),
        "html": encode_cursor({"d": t.effective_date.isoformat(), "j": t.journal_id}),
        "api": encode_cursor({"d": t.effective_date.isoformat(), "j": t.journal_id, "i": t.pk}),
    }


def copy_rates(slug: str) -> dict:
    """Rows per second of `COPY (the export's own query) TO STDOUT` for both exports, on this database."""
    import psycopg
    from django.db import connection

    from opencity.hosting.models import Collective, Host
    from opencity.ledger.exports import general_ledger_values
    from opencity.transparency.exports import statement_values
    from opencity.transparency.selectors import statement_account_or_none

    collective = Collective.objects.get(slug=slug)
    host = Host.objects.get(profile__slug=HOST)
    out = {}
    for name, qs in (
        ("statement", statement_values(statement_account_or_none(collective))),
        ("general_ledger", general_ledger_values(host, date_from=None, date_to=None)),
    ):
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as c:
            literal = psycopg.ClientCursor(c.connection).mogrify(sql, params)
            raw = c.connection.cursor()
            rows = 0
            t0 = time.perf_counter()
            with raw.copy(f"COPY ({literal}) TO STDOUT") as copy:
                for block in copy:
                    rows += bytes(block).count(b"\n")
            seconds = time.perf_counter() - t0
        out[name] = {"rows": rows, "seconds": round(seconds, 3), "rows_per_second": round(rows / seconds)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--transfers", type=int, default=1000)
    parser.add_argument("--copy", metavar="SLUG", help="measure COPY of the exports' queries instead of building")
    args = parser.parse_args()
    setup(args.database_url, args.data_dir)
    result = copy_rates(args.copy) if args.copy else build(args.transfers)
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
