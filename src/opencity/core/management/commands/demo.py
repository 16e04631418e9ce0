"""Seed a realistic BrusselsTogether. Each app adds its part in `opencity.<app>.demo.seed(ctx)`."""

import importlib

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from opencity.hosting.models import Host

# Order matters: money needs collectives, expenses need money.
DEMO_MODULES = [
    "opencity.hosting.demo",
    "opencity.ledger.demo",
    "opencity.contributions.demo",
    "opencity.expenses.demo",
    "opencity.events.demo",
    "opencity.banking.demo",
    "opencity.community.demo",
    "opencity.stories.demo",
    "opencity.movement.demo",
]


class Command(BaseCommand):
    help = "Seed the demo host 'brusselstogether' with collectives, people, money and events."

    def handle(self, *args, **options):
        if Host.objects.filter(profile__slug="brusselstogether").exists():
            raise CommandError("The demo host 'brusselstogether' already exists in this database; not seeding twice.")
        ctx: dict = {"logins": [], "stdout": self.stdout}
        # Seeding sends no email: the demo people are not real.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
            for name in DEMO_MODULES:
                try:
                    module = importlib.import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name != name:
                        raise
                    continue
                self.stdout.write(f"Seeding {name.split('.')[1]}…")
                module.seed(ctx)
        self.stdout.write(self.style.SUCCESS("Demo ready. Logins (password for all: see below):"))
        for role, email, password in ctx["logins"]:
            self.stdout.write(f"  {role:<28} {email:<40} {password}")
