"""`opencity` console script: friendly names for the management commands, plus `serve`.

`opencity check-ledger` runs the `check_ledger` command; anything Django knows (`opencity migrate`,
`opencity createsuperuser`) works as with manage.py.
"""

from __future__ import annotations

import argparse
import os
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencity.settings")
    import django

    django.setup()


def serve(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="opencity serve", description="Migrate, then serve with gunicorn.")
    parser.add_argument("--host", default=os.environ.get("OPENCITY_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--demo-if-empty", action="store_true", help="seed the demo host if there is none")
    args = parser.parse_args(argv)
    _setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    call_command("collectstatic", interactive=False, verbosity=0)
    if args.demo_if_empty:
        from opencity.hosting.models import Host

        if not Host.objects.exists():
            call_command("demo")
    print(f"OpenCity on http://{args.host}:{args.port}/", flush=True)
    os.execvp(
        sys.executable,
        [
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
        ],
    )


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        print(
            "Commands: serve, demo, worker, token, createhost, check, check-ledger, payouts, contributions-daily,\n"
            "import-statement, bank-daily,\n"
            "and every Django management command (migrate, createsuperuser, shell, …)."
        )
        return
    command, rest = argv[0], argv[1:]
    if command == "serve":
        serve(rest)
        return
    _setup()
    from django.core.management import execute_from_command_line

    aliases = {"worker": "db_worker", "check": "opencity_check"}
    name = aliases.get(command, command.replace("-", "_"))
    execute_from_command_line(["opencity", name, *rest])


if __name__ == "__main__":
    main()
