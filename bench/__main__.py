"""`make bench`: post N three-transfer journals (a contribution with its processor and host fees) through
`record_incoming_payment` → `post_journal` (monthly rollups kept by trigger) from 4 concurrent worker
processes on PostgreSQL, run pgbench's TPC-B-like workload on the same server with the same client count, and
print both throughputs and the ratio ours/pgbench. Beside it, two bounds: the ceiling of the ledger's own SQL
(pgbench itself calling the `ledger_post_journal` function: same journals, same accounts, same client count,
no Python at all), and the Python client's floor (the same worker processes sending the same prepared call with
its parameters ready, through psycopg only: what no ledger code can beat with this client on this machine).
Then the same ledger run on SQLite (no baseline).

    python -m bench [--journals 24000] [--workers 4] [--seconds 10] [--rounds 3]   (about 4 minutes)

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/opencity_bench) names the ledger database; it and
`<name>_pgbench` are dropped and created fresh on that server.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from urllib.parse import urlparse, urlunparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/opencity_bench"
TARGET = 0.8  # issue 15: journals/s at least 0.8 of pgbench's TPC-B-like transactions/s, monthly rollups on


def pgbench_binary() -> str:
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))
    if not candidates:
        raise SystemExit("pgbench not found on PATH nor under /usr/lib/postgresql/*/bin")
    return candidates[-1]


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin_url = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def with_db_name(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def ledger_run(database_url: str, journals: int, workers: int, client_floor: bool = False) -> dict:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.ledger_run",
            "--database-url",
            database_url,
            "--journals",
            str(journals),
            "--workers",
            str(workers),
            *(["--client-floor"] if client_floor else []),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "OPENCITY_DATA_DIR": tempfile.mkdtemp(prefix="opencity-bench-")},
    )
    if proc.returncode != 0:
        raise SystemExit(f"ledger run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _pgbench(url: str, *args: str) -> str:
    """Run pgbench against the database of `url` with `args`; its standard output."""
    parts = urlparse(url)
    conn = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    env = {**os.environ, **({"PGPASSWORD": parts.password} if parts.password else {})}
    return subprocess.run(
        [pgbench_binary(), *conn, *args, parts.path.lstrip("/")], check=True, capture_output=True, text=True, env=env
    ).stdout


def _tps(out: str) -> float:
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out) or re.search(r"tps = ([\d.]+)", out)
    if not match:
        raise SystemExit(f"could not read pgbench's tps:\n{out}")
    return float(match.group(1))


def _load(clients: int, seconds: int) -> list[str]:
    return ["-c", str(clients), "-j", str(max(1, min(2, clients))), "-T", str(seconds)]


def pgbench_run(url: str, clients: int, seconds: int) -> float:
    """pgbench's own TPC-B-like workload (scale 1) on a fresh database: transactions/s."""
    _pgbench(url, "-i", "-q", "-s", "1")
    return _tps(_pgbench(url, *_load(clients, seconds)))


FUNCTION_SCRIPT = """\
SELECT ledger_post_journal(md5(random()::text), {host}, 'contribution', 'bench contribution',
    'fn:' || md5(random()::text), current_date, now(), NULL, 'bench', '', NULL, false, '', NULL, '', 'EUR',
    ARRAY[{clearing}, {funds}, {funds}]::bigint[], ARRAY[{funds}, {proc}, {fees}]::bigint[],
    ARRAY[1000, 39, 80]::bigint[], ARRAY['contribution', 'processor_fee', 'host_fee'], ARRAY['', '', ''],
    ARRAY[NULL, NULL, NULL]::bigint[], ARRAY[{fees}, {clearing}, {proc}, {funds}]::bigint[],
    ARRAY[0, 1000, 0, 119]::bigint[], ARRAY[80, 0, 39, 1000]::bigint[], NULL);
"""


def function_run(url: str, clients: int, seconds: int) -> float:
    """pgbench calling `ledger_post_journal` directly on the ledger database the Python run left: client n
    posts to bench collective n (as worker n did), all to the host's shared accounts. Journals/s."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT a.host_id, a.kind, a.processor, a.collective_id, a.id FROM ledger_account a ORDER BY a.id"
        ).fetchall()
    host = rows[0][0]
    pick = {(kind, processor): pk for _h, kind, processor, collective, pk in rows if collective is None}
    funds = [pk for _h, kind, _p, collective, pk in rows if kind == "funds" and collective is not None]
    script = FUNCTION_SCRIPT.format(
        host=host,
        clearing=pick[("clearing", "stripe")],
        proc=pick[("processor_fees", "stripe")],
        fees=pick[("host_fees", "")],
        funds=f"(ARRAY{funds}::bigint[])[:client_id % {len(funds)} + 1]",
    )
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    try:
        return _tps(_pgbench(url, "-n", "-M", "prepared", "-f", f.name, *_load(clients, seconds)))
    finally:
        os.unlink(f.name)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--journals", type=int, default=int(os.environ.get("BENCH_JOURNALS", "24000")))
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=10, help="pgbench duration (-T)")
    # Runs of ~10 s each and the median of 3 rounds: shorter runs on a shared 2-core machine vary by ±15%.
    parser.add_argument("--rounds", type=int, default=3, help="alternate ledger and pgbench this many times")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        url = DEFAULT_URL
    name = urlparse(url).path.lstrip("/")
    pgbench_url = with_db_name(url, f"{name}_pgbench")

    # The machine may be busy with other work: alternate the two workloads and compare neighbours.
    ratios = []
    for r in range(1, args.rounds + 1):
        print(
            f"[round {r}/{args.rounds}] ledger on PostgreSQL: {args.journals} journals × 3 transfers "
            f"from {args.workers} workers…",
            flush=True,
        )
        recreate_database(url)
        ours = ledger_run(url, args.journals, args.workers)
        print(
            f"  {ours['per_second']:.0f} journals/s ({ours['transfers']} transfers in {ours['seconds']}s), "
            f"check-ledger {ours['check']}",
            flush=True,
        )
        print(
            f"[round {r}/{args.rounds}] pgbench TPC-B-like: -c {args.workers} -j 2 -T {args.seconds} "
            "on the same server…",
            flush=True,
        )
        recreate_database(pgbench_url)
        tps = pgbench_run(pgbench_url, args.workers, args.seconds)
        print(f"  {tps:.0f} transactions/s", flush=True)
        ratios.append(ours["per_second"] / tps if tps else 0.0)
        print(f"  ratio ours/pgbench: {ratios[-1]:.2f}", flush=True)
        ceiling = function_run(url, args.workers, args.seconds)
        print(
            f"  the ledger's SQL alone (pgbench calling ledger_post_journal, no Python): {ceiling:.0f} journals/s, "
            f"{ceiling / tps if tps else 0.0:.2f} of pgbench",
            flush=True,
        )
        recreate_database(url)
        floor = ledger_run(url, args.journals, args.workers, client_floor=True)["per_second"]
        print(
            f"  the Python client's floor (psycopg sending the same prepared call, parameters ready, no Django, no "
            f"ledger logic): {floor:.0f} journals/s, {floor / tps if tps else 0.0:.2f} of pgbench",
            flush=True,
        )
    ratio = statistics.median(ratios)
    print(
        f"ratio ours/pgbench (median of {len(ratios)}): {ratio:.2f} (target ≥ {TARGET:.2f}) "
        f"{'OK' if ratio >= TARGET else 'BELOW TARGET'}",
        flush=True,
    )

    if not args.skip_sqlite:
        print(f"ledger on SQLite: {args.journals} journals from {args.workers} workers…", flush=True)
        path = os.path.join(tempfile.mkdtemp(prefix="opencity-bench-"), "bench.sqlite3")
        lite = ledger_run(f"sqlite:///{path}", args.journals, args.workers)
        print(
            f"  {lite['per_second']:.0f} journals/s ({lite['transfers']} transfers in {lite['seconds']}s), "
            f"check-ledger {lite['check']}",
            flush=True,
        )

    recreate_database(url)  # leave nothing big behind
    recreate_database(pgbench_url)


if __name__ == "__main__":
    main()
