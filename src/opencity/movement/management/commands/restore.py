from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opencity.movement import backups


class Command(BaseCommand):
    help = "Restore a backup made by `opencity backup DIR` into an empty data folder / database."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path)

    def handle(self, *args, source: Path, **options):
        if not backups.restore(source):
            raise CommandError("restored, but the data differ from the backup's fingerprint")
        self.stdout.write("restored; rows, ledger totals and files match the backup")
