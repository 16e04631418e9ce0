"""`opencity` console script: friendly names for the management commands, plus `serve`.

`opencity check-ledger` runs the `check_ledger` command; anything Django knows (`opencity migrate`,
`opencity createsuperuser`) works as with manage.py.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencity.settings")
    import django

    django.setup()


def _die_with_parent() -> None:
    """In the worker child (Linux): get SIGTERM when the server process dies, even if it is killed."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _start_worker() -> subprocess.Popen:
    """`opencity worker` as a child process, so queued emails go out with `serve` alone."""
    return subprocess.Popen(
        [sys.executable, "-m", "opencity.cli", "worker"],
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
    )


def _stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="opencity serve", description="Migrate, then serve with gunicorn and one task worker alongside."
    )
    parser.add_argument("--host", default=os.environ.get("OPENCITY_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--demo-if-empty", action="store_true", help="seed the demo host if there is none")
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start a task worker (emails, renewals) alongside: workers run elsewhere",
    )
    args = parser.parse_args(argv)
    # Links in emails lead to this server (`make run PORT=8301`) unless SITE_URL names the public site.
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host  # noqa: S104 - a comparison
    os.environ.setdefault("SITE_URL", f"http://{shown}:{args.port}")
    _setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    call_command("collectstatic", interactive=False, verbosity=0)
    if args.demo_if_empty:
        from opencity.hosting.models import Host

        if not Host.objects.exists():
            call_command("demo")
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "opencity.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]
    if args.no_worker:
        print(f"OpenCity on http://{args.host}:{args.port}/ (no task worker: run `opencity worker`)", flush=True)
        os.execvp(sys.executable, gunicorn)
    worker = _start_worker()
    print(f"OpenCity on http://{args.host}:{args.port}/ with a task worker (pid {worker.pid})", flush=True)
    server = subprocess.Popen(gunicorn)

    def _forward(signum, _frame):
        for proc in (server, worker):
            if proc.poll() is None:
                proc.send_signal(signum)

    signal.signal(signal.SIGTERM, _forward)
    signal.signal(signal.SIGINT, _forward)
    try:
        code = server.wait()
    finally:
        _stop(server)
        _stop(worker)
    return code


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        print(
            "Commands: serve, demo, worker, token, createhost, check, check-ledger, payouts, contributions-daily,\n"
            "events-tick, import-statement, bank-daily,\n"
            "and every Django management command (migrate, createsuperuser, shell, …)."
        )
        return
    command, rest = argv[0], argv[1:]
    if command == "serve":
        sys.exit(serve(rest))
    _setup()
    from django.core.management import execute_from_command_line

    if command == "demo":
        # A fresh data folder has no tables yet: create them first instead of failing with a traceback.
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    aliases = {"worker": "db_worker", "check": "opencity_check"}
    name = aliases.get(command, command.replace("-", "_"))
    execute_from_command_line(["opencity", name, *rest])


if __name__ == "__main__":
    main()
