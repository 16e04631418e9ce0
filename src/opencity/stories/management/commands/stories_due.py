from django.core.management.base import BaseCommand

from opencity.stories.tasks import deliver_due


class Command(BaseCommand):
    help = "Queue the emails of stories whose publication time has come (run every few minutes from cron)."

    def handle(self, *args, **options):
        deliver_due.enqueue()
        self.stdout.write("queued: stories deliver_due")
