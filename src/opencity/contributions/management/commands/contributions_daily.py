"""`opencity contributions-daily`: queue the daily jobs (ECB rates, membership renewals and lapses, receipt
numbers that failed).

Run it once a day from cron or a systemd timer; `opencity worker` then runs the tasks.
"""

from django.core.management.base import BaseCommand

from opencity.contributions.tasks import memberships_check, rates_refresh, receipts_retry


class Command(BaseCommand):
    help = "Queue the daily contribution jobs: refresh the ECB rates and check memberships."

    def handle(self, *args, **options):
        rates_refresh.enqueue()
        memberships_check.enqueue()
        receipts_retry.enqueue()
        self.stdout.write("queued: rates_refresh, memberships_check, receipts_retry")
