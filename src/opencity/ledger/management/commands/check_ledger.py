"""`opencity check-ledger`: every journal balances, cached totals equal the transfers, no funds below zero."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Sum

from opencity.ledger.models import Account, Transfer


class Command(BaseCommand):
    help = "Verify every ledger invariant; exit 1 with details on the first breach."

    def handle(self, *args, **options):
        breaches = []
        debit_sums = dict(Transfer.objects.values_list("debit_account").annotate(s=Sum("amount")))
        credit_sums = dict(Transfer.objects.values_list("credit_account").annotate(s=Sum("amount")))
        accounts = 0
        for acc in Account.objects.all().iterator():
            accounts += 1
            if acc.debits_posted != debit_sums.get(acc.pk, 0) or acc.credits_posted != credit_sums.get(acc.pk, 0):
                breaches.append(f"account {acc.pk} ({acc}): cached totals differ from its transfers")
            if acc.debits_must_not_exceed_credits and acc.debits_posted > acc.credits_posted:
                breaches.append(f"account {acc.pk} ({acc}): below zero")
        if breaches:
            for b in breaches:
                self.stderr.write(b)
            raise CommandError(f"ledger: {len(breaches)} breach(es)")
        self.stdout.write(f"ledger OK: {accounts} accounts, {Transfer.objects.count()} transfers")
