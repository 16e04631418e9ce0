"""`opencity bank-daily`: queue the daily bank jobs (standing orders that stopped, expired bank transfers)."""

from django.core.management.base import BaseCommand

from opencity.banking.tasks import bank_daily


class Command(BaseCommand):
    help = "Queue the daily bank job: memberships by standing order that missed a month, expired bank transfers."

    def handle(self, *args, **options):
        bank_daily.enqueue()
        self.stdout.write("queued: bank_daily")
