"""Django's `flush`, allowed past the ledger's SQLite delete triggers (a deliberate wipe of everything)."""

from django.core.management.commands.flush import Command as FlushCommand

from opencity.ledger.dbguard import wipe_allowed


class Command(FlushCommand):
    def handle(self, **options):
        with wipe_allowed():
            return super().handle(**options)
