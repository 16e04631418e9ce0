"""`opencity check-ledger`: every journal whole, cached totals equal the transfers, no funds below zero."""

import time

from django.core.management.base import BaseCommand, CommandError

from opencity.ledger.checks import ledger_breaches


class Command(BaseCommand):
    help = (
        "Verify every ledger invariant (journals have transfers in one currency and one host, cached totals "
        "equal the transfers, no funds account below zero, balances add up to zero per host). Exit 1 on a breach."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        breaches, counts = ledger_breaches()
        elapsed = time.monotonic() - started
        summary = (
            f"{counts['accounts']} accounts, {counts['journals']} journals, {counts['transfers']} transfers "
            f"checked in {elapsed:.2f}s"
        )
        if breaches:
            for breach in breaches:
                self.stderr.write(breach)
            raise CommandError(f"ledger BROKEN: {len(breaches)} breach(es); {summary}")
        self.stdout.write(f"ledger OK: {summary}")
