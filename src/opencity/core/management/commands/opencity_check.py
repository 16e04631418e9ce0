"""`opencity check`: is this installation configured sanely?"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Check the configuration: database, data folder, email, payments (--deploy: and production security)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--deploy",
            action="store_true",
            help="also run Django's deployment checks (HTTPS, cookies, HSTS…); any warning is a problem",
        )

    def handle(self, *args, **options):
        problems, notes = [], []
        try:
            with connection.cursor() as cur:
                cur.execute("SELECT 1")
            notes.append(f"database: {connection.vendor} OK")
        except Exception as exc:  # noqa: BLE001
            problems.append(f"database: cannot connect ({exc})")
        data = settings.DATA_DIR
        if not data.exists() or not (data.stat().st_mode & 0o200):
            problems.append(f"data folder {data} is missing or not writable")
        else:
            notes.append(f"data folder: {data}")
        notes.append(f"email: {settings.EMAIL_BACKEND.rsplit('.', 2)[-2]}")
        if bool(settings.STRIPE_SECRET_KEY) != bool(settings.STRIPE_WEBHOOK_SECRET):
            problems.append("Stripe: set both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, or neither")
        notes.append("Stripe: " + ("configured" if settings.STRIPE_SECRET_KEY else "off (card payments hidden)"))
        if settings.DEBUG:
            problems.append("OPENCITY_DEBUG is on: never in production")
        from django.core.management import call_command

        if options.get("deploy"):
            if not settings.SITE_URL.startswith("https://"):
                problems.append("SITE_URL is not https: secure cookies and HSTS stay off")
            from django.core.management.base import SystemCheckError

            try:
                call_command("check", deploy=True, fail_level="WARNING", verbosity=0)
            except SystemCheckError as exc:
                problems.append(f"deployment checks:\n{exc}")
        else:
            call_command("check", verbosity=0)
        for n in notes:
            self.stdout.write(f"  ok  {n}")
        for p in problems:
            self.stdout.write(self.style.ERROR(f"  !!  {p}"))
        if problems:
            raise CommandError(f"{len(problems)} problem(s)")
        self.stdout.write(self.style.SUCCESS("Configuration looks good."))
