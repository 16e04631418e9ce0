"""The ticket rush, timed: N buyers on T threads (each order its own transaction, through `order_create`)
for P places in two ticket types, then the same number of plain `SELECT 1` round trips on the same database
from the same threads in the same run, so the two throughputs can be compared.

    python -m bench.ticket_rush [--buyers 300] [--places 100] [--threads 32] [--sqlite]

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/opencity_bench_tickets) is dropped and created
fresh; `--sqlite` uses a fresh SQLite file instead.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/opencity_bench_tickets"


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["OPENCITY_DATA_DIR"] = tempfile.mkdtemp(prefix="opencity-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "opencity.settings"
    os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.dummy.DummyBackend")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _seed(places: int):
    from django.conf import settings
    from django.utils import timezone

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from opencity.accounts.models import User
    from opencity.events import services
    from opencity.hosting import services as hosting

    admin = User.objects.create_user(
        email="bench@example.org", password="bench-password-1", name="Bench", email_confirmed=True
    )
    host = hosting.host_create(slug="bench-host", admin=admin, legal_name="Bench ASBL")
    c = hosting.collective_create(user=admin, host=host, slug="bench-rush", name="Bench rush")
    hosting.application_approve(application=c.applications.get(), by=admin)
    c.refresh_from_db()
    start = timezone.now() + dt.timedelta(days=7)
    event = services.event_create(
        collective=c, by=admin, title="Rush", starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    first = places * 6 // 10
    a = services.ticket_type_create(event=event, by=admin, name="A", price=0, quantity=first)
    b = services.ticket_type_create(event=event, by=admin, name="B", price=0, quantity=places - first)
    return event, a, b


def _timed(threads: int, n: int, job, *, reconnect: bool = True) -> tuple[float, list]:
    """Run `job(i)` for i < n on `threads` threads; `reconnect`: each job on a new connection, like a web request."""
    from django.db import connection

    def run(i):
        try:
            return job(i)
        finally:
            if reconnect:
                connection.close()

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(run, range(n)))
    return time.perf_counter() - t0, results


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--buyers", type=int, default=300)
    p.add_argument("--places", type=int, default=100)
    p.add_argument("--threads", type=int, default=32)
    p.add_argument("--sqlite", action="store_true")
    args = p.parse_args(argv)
    if args.sqlite:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='opencity-bench-')}/rush.sqlite3"
    else:
        from bench.__main__ import recreate_database

        url = os.environ.get("DATABASE_URL", DEFAULT_URL)
        recreate_database(url)
    _setup(url)
    from django.db import connection

    from opencity.core.errors import DomainError
    from opencity.events import orders
    from opencity.events.models import Ticket
    from opencity.events.orders import AttendeeIn, OrderRequest

    event, a, b = _seed(args.places)
    lock = threading.Lock()

    def buy(i: int) -> str:
        wanted = [b, a] if i % 3 == 0 else [a if i % 2 else b]
        data = OrderRequest(
            attendees=[AttendeeIn(ticket_type=t.public_id, name=f"Buyer {i}") for t in wanted],
            email=f"buyer{i}@example.org",
        )
        try:
            orders.order_create(event=event, data=data)
            return "ok"
        except DomainError as exc:
            return exc.code

    def select_one(i: int) -> int:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            return cur.fetchone()[0]

    rush_s, results = _timed(args.threads, args.buyers, buy)
    select_s, _ = _timed(args.threads, args.buyers, select_one)
    kept_s, _ = _timed(args.threads, args.buyers, select_one, reconnect=False)
    with lock:
        tickets = Ticket.objects.count()
    engine = connection.vendor
    print(f"database            {engine}")
    print(f"buyers / threads    {args.buyers} / {args.threads}   places {args.places}")
    print(f"tickets sold        {tickets}   orders ok {results.count('ok')}   sold out {results.count('sold_out')}")
    print(f"ticket rush         {rush_s:8.3f} s   {args.buyers / rush_s:9.1f} orders/s")
    print(
        f"SELECT 1 round trip {select_s:8.3f} s   {args.buyers / select_s:9.1f} queries/s (same threads, new connection each)"
    )
    print(f"SELECT 1 (kept conn) {kept_s:7.3f} s   {args.buyers / kept_s:9.1f} queries/s")
    print(f"ratio               {select_s / rush_s:8.3f}  (rush throughput / SELECT 1 throughput)")
    if tickets != args.places or set(results) - {"ok", "sold_out"}:
        sys.exit("oversold or unexpected outcome")


if __name__ == "__main__":
    main()
