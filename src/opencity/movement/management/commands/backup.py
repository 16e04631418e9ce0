from pathlib import Path

from django.core.management.base import BaseCommand

from opencity.movement import backups


class Command(BaseCommand):
    help = "Back up the database and the data folder into DIR (with a manifest to check the restore against)."

    def add_arguments(self, parser):
        parser.add_argument("target", type=Path)

    def handle(self, *args, target: Path, **options):
        manifest = backups.backup(target)
        rows = sum(manifest["fingerprint"]["counts"].values())
        self.stdout.write(f"backed up {rows} rows and the data folder into {target}")
