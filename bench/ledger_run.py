"""One ledger run in its own process (Django reads DATABASE_URL once): migrate a fresh database, seed a
host with one collective per worker, then post three-transfer journals from concurrent worker processes.

Prints one JSON line: {"journals", "seconds", "per_second", "check"}.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("OPENCITY_DATA_DIR", tempfile.mkdtemp(prefix="opencity-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "opencity.settings"
    import django

    django.setup()


def _seed(workers: int) -> tuple[int, list[int]]:
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from opencity.accounts.models import User
    from opencity.hosting import services as hosting

    admin = User.objects.create_user(
        email="bench-admin@example.org", password="bench-password-1", name="Bench", email_confirmed=True
    )
    host = hosting.host_create(slug="bench-host", admin=admin, legal_name="Bench ASBL", default_host_fee_percent=8)
    collective_ids = []
    for i in range(workers):
        c = hosting.collective_create(user=admin, host=host, slug=f"bench-{i}", name=f"Bench {i}")
        hosting.application_approve(application=c.applications.get(), by=admin)
        collective_ids.append(c.pk)
    return host.pk, collective_ids


def _floor_poster(record, worker: int):
    """The client floor: the first journal goes the whole way (its parameters are kept), then each call sends
    those parameters again with a new key and public id straight to the prepared statement — no ledger logic,
    no Django, only psycopg's round trip."""
    from django.db import connection

    from opencity.ledger import pgpost

    kept, real_run = [], pgpost._run
    pgpost._run = lambda db, params: (kept.append(params), real_run(db, params))[1]
    try:
        record(f"bench:{worker}:floor")
    finally:
        pgpost._run = real_run

    def post(key: str) -> None:
        params = list(kept[0])
        params[0], params[4] = f"jrn_{key.replace(':', '_')}", key
        real_run(connection, params)

    return post


def _worker(collective_id: int, worker: int, count: int, start, done, floor: bool = False) -> None:
    from django.db import connections

    connections.close_all()  # never share the parent's connection after fork
    from opencity.hosting.models import Collective
    from opencity.ledger import services as ledger
    from opencity.ledger.models import AccountKind

    collective = Collective.objects.select_related("host__profile").get(pk=collective_id)
    host = collective.host
    clearing = ledger.host_account(host, AccountKind.CLEARING, "stripe")
    fees = ledger.host_account(host, AccountKind.PROCESSOR_FEES, "stripe")

    def record(key: str, amount: int = 1000) -> None:
        ledger.record_incoming_payment(
            collective=collective,
            amount=amount,
            idempotency_key=key,
            source_account=clearing,
            processor_fee=39,
            processor_fee_account=fees,
            description="bench contribution",
            source_type="bench",
        )

    post = _floor_poster(record, worker) if floor else None
    start.wait()
    t0 = time.perf_counter()
    for i in range(count):
        if post is not None:
            post(f"bench:{worker}:{i}")
        else:
            record(f"bench:{worker}:{i}", 1000 + i % 500)
    done.put(time.perf_counter() - t0)
    connections.close_all()


def run(database_url: str, journals: int, workers: int, floor: bool = False) -> dict:
    _setup(database_url)
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", interactive=False, verbosity=0)
    _, collective_ids = _seed(workers)
    connections.close_all()
    ctx = mp.get_context("fork")
    start, done = ctx.Barrier(workers + 1), ctx.Queue()
    per_worker = journals // workers
    procs = [
        ctx.Process(target=_worker, args=(collective_ids[w], w, per_worker, start, done, floor)) for w in range(workers)
    ]
    for p in procs:
        p.start()
    start.wait()
    t0 = time.perf_counter()
    for _ in procs:
        done.get(timeout=3600)
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"worker failed with exit code {p.exitcode}")
    from opencity.ledger.checks import ledger_breaches

    breaches, counts = ledger_breaches()
    total = per_worker * workers
    return {
        "journals": total,
        "transfers": counts["transfers"],
        "seconds": round(elapsed, 3),
        "per_second": round(total / elapsed, 1),
        "check": "OK" if not breaches else f"BROKEN: {breaches[:3]}",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--journals", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--client-floor", action="store_true", help="see _floor_poster")
    args = parser.parse_args()
    result = run(args.database_url, args.journals, args.workers, floor=args.client_floor)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
