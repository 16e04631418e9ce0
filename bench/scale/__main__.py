"""`python -m bench.scale [--sizes 1000,1000000] [--small] [--runs 30]` — see bench/scale/__init__.py.

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server; the databases
`scale_bench_<N>` on it are dropped and created fresh. Takes about 2 minutes at --small and about
15 minutes with the default sizes on a 2-core machine (most of it growing and analysing the 1M database
and downloading its exports twice).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlparse, urlunparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def _json_run(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, "-m", "bench.scale.build", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench.scale.build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with ONE sync worker (so its VmHWM is the exporting process's peak memory)."""

    def __init__(self, database_url: str, data_dir: str):
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "OPENCITY_DATA_DIR": data_dir, "OPENCITY_DEBUG": "0"}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "opencity.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "1800",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                self.get("/api/v1/collectives?limit=1")
                return
            except OSError:
                time.sleep(0.3)
        raise SystemExit("the server did not start")

    def worker_pid(self) -> int:
        with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
            return int(f.read().split()[0])

    def memory(self) -> dict:
        fields = {}
        with open(f"/proc/{self.worker_pid()}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    fields[key] = int(value.split()[0]) // 1024  # MiB
        return fields

    def get(self, path: str, cookie: str = "") -> tuple[int, int, float]:
        """(status, body bytes, seconds to the last byte) on a fresh connection."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1800)
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        size = 0
        while chunk := response.read(1 << 16):
            size += len(chunk)
        seconds = time.perf_counter() - t0
        conn.close()
        return response.status, size, seconds

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def endpoints(info: dict) -> list[tuple[str, str, bool]]:
    """(label, path, needs the host admin's session) — the issue's table."""
    slug, host, cur = info["slug"], info["host"], info["cursors"]
    at = time.strftime("%Y-%m-%d", time.localtime(time.time() - 365 * 86400))
    return [
        ("collective page /<slug>/", f"/{slug}/", False),
        ("collective API", f"/api/v1/collectives/{slug}", False),
        ("host page", f"/{host}/", False),
        ("host admin balances at a date", f"/{host}/admin/ledger/balances?at={at}", True),
        ("host admin books page (line count)", f"/{host}/admin/ledger", True),
        ("transactions page 1 (HTML)", f"/{slug}/transactions", False),
        ("transactions page 1 (API)", f"/api/v1/collectives/{slug}/transactions", False),
        (f"statement at {cur['date']} (HTML)", f"/{slug}/transactions?cursor={cur['html']}", False),
        (f"statement at {cur['date']} (API)", f"/api/v1/collectives/{slug}/transactions?cursor={cur['api']}", False),
    ]


def measure(size: int, database_url: str, runs: int) -> dict:
    url = urlunparse(urlparse(database_url)._replace(path=f"/scale_bench_{size}"))
    data_dir = tempfile.mkdtemp(prefix=f"scale-bench-{size}-")
    recreate_database(url)
    print(f"[{size:,}] building (migrate, demo, grow, check-ledger, VACUUM ANALYZE)…", flush=True)
    info = _json_run(["--database-url", url, "--data-dir", data_dir, "--transfers", str(size)])
    print(
        f"[{size:,}] /{info['slug']}/ has {info['collective_transfers']:,} transfers ({info['grown']:,} grown; "
        f"{info['transfers']:,} in the database), "
        f"{info['rollups']}, built in {info['seconds']['total']} s",
        flush=True,
    )
    server = Server(url, data_dir)
    cookie = f"sessionid={info['session']}"
    result = {"info": info, "latency": {}, "exports": {}}
    try:
        for label, path, private in endpoints(info):
            status = server.get(path, cookie if private else "")[0]
            if status != 200:
                raise SystemExit(f"{path}: HTTP {status}")
            for _ in range(2):
                server.get(path, cookie if private else "")
            times = [server.get(path, cookie if private else "")[2] for _ in range(runs)]
            result["latency"][label] = statistics.median(times) * 1000
        copy = _json_run(["--database-url", url, "--data-dir", data_dir, "--copy", info["slug"]])
        for name, path in (
            ("statement", f"/{info['slug']}/transactions?format=csv"),
            ("general_ledger", f"/{info['host']}/admin/ledger/general-ledger.csv"),
        ):
            before = server.memory()
            status, size_bytes, seconds = server.get(path, cookie)
            after = server.memory()
            rows = copy[name]["rows"]
            result["exports"][name] = {
                "status": status,
                "rows": rows,
                "mb": round(size_bytes / 1e6, 1),
                "seconds": round(seconds, 2),
                "rows_per_second": round(rows / seconds),
                "copy_rows_per_second": copy[name]["rows_per_second"],
                "ratio_to_copy": round(rows / seconds / copy[name]["rows_per_second"], 3),
                "rss_before_mib": before["VmRSS"],
                "peak_mib": after["VmHWM"],
            }
    finally:
        server.stop()
    return result


def report(sizes: list[int], results: dict[int, dict]) -> None:
    small, big = sizes[0], sizes[-1]
    print()
    print(f"median of warm requests, ms: {small:,} vs {big:,} transfers (ratio target ≤ 1.5)")
    print(f"{'endpoint':<44} {small:>12,} {big:>12,} {'ratio':>7}")
    labels_small = list(results[small]["latency"])
    labels_big = list(results[big]["latency"])
    for ls, lb in zip(labels_small, labels_big, strict=True):
        a, b = results[small]["latency"][ls], results[big]["latency"][lb]
        label = lb.replace(results[big]["info"]["cursors"]["date"], "a cursor 3 years back")
        print(f"{label:<44} {a:>12.1f} {b:>12.1f} {b / a:>7.2f}")
    print()
    print("exports (whole download through the server; target ≥ 0.1 of COPY, flat memory)")
    print(
        f"{'export':<16} {'size':>10} {'rows':>10} {'s':>8} {'rows/s':>10} {'COPY rows/s':>12} {'ratio':>6} "
        f"{'RSS before':>11} {'peak MiB':>9}"
    )
    for size in sizes:
        for name, e in results[size]["exports"].items():
            print(
                f"{name:<16} {size:>10,} {e['rows']:>10,} {e['seconds']:>8} {e['rows_per_second']:>10,} "
                f"{e['copy_rows_per_second']:>12,} {e['ratio_to_copy']:>6} {e['rss_before_mib']:>11} "
                f"{e['peak_mib']:>9}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,1000000", help="comma-separated transfer counts")
    parser.add_argument("--small", action="store_true", help="sizes 1000,20000: a quick check")
    parser.add_argument("--runs", type=int, default=30, help="warm requests per endpoint")
    parser.add_argument("--keep", action="store_true", help="keep the scale_bench_* databases")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    sizes = [1000, 20000] if args.small else [int(s) for s in args.sizes.split(",")]
    database_url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not database_url.startswith("postgres"):
        raise SystemExit("bench.scale needs PostgreSQL (DATABASE_URL=postgres://…)")
    t0 = time.time()
    results = {}
    for size in sizes:
        results[size] = measure(size, database_url, args.runs)
        if not args.keep:
            drop_database(urlunparse(urlparse(database_url)._replace(path=f"/scale_bench_{size}")))
    report(sizes, results)
    print(f"\nbench.scale took {time.time() - t0:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
