"""`opencity events-tick`: queue the release of lapsed ticket holds (and the waiting-list offers they free).

Run it every few minutes from cron or a systemd timer; `opencity worker` then runs the task. Places of a
lapsed hold are already free for buyers without it: this only records the expiry and tells the waiting list.
"""

from django.core.management.base import BaseCommand

from opencity.events.tasks import holds_release


class Command(BaseCommand):
    help = "Queue the release of lapsed ticket holds and the waiting-list offers they free."

    def handle(self, *args, **options):
        holds_release.enqueue()
        self.stdout.write("queued: holds_release")
