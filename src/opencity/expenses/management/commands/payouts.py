"""`opencity payouts --host <slug> --out FILE`: one SEPA file with every approved expense that can be paid."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from opencity.core.errors import DomainError
from opencity.expenses import payouts, sepa
from opencity.hosting import selectors as hosting_selectors
from opencity.money import Money


class Command(BaseCommand):
    help = "Make a SEPA credit-transfer file (pain.001) with every approved expense of the host that can be paid."

    def add_arguments(self, parser):
        parser.add_argument("--host", required=True, help="the host's slug")
        parser.add_argument("--out", required=True, help="where to write the XML file")
        parser.add_argument("--schema", default=sepa.DEFAULT_SCHEMA, choices=sepa.SCHEMAS)
        parser.add_argument("--execution-date", default=None, help="YYYY-MM-DD (default: today)")

    def handle(self, *args, **opts):
        import datetime as dt

        host = hosting_selectors.host_by_slug(opts["host"])
        if host is None:
            raise CommandError(f"No host with the address {opts['host']!r}.")
        candidates = list(payouts.payable_expenses(host))
        if not candidates:
            raise CommandError("No approved expense to pay.")
        execution_date = dt.date.fromisoformat(opts["execution_date"]) if opts["execution_date"] else None
        bar = tqdm(total=len(candidates), desc="Payouts", unit="expense", disable=opts["verbosity"] == 0)
        skipped: list = []
        try:
            batch = payouts.payout_batch_create(
                host=host,
                expenses=candidates,
                schema=opts["schema"],
                execution_date=execution_date,
                system=True,
                progress=bar.update,
                skipped=skipped,
            )
        except DomainError as exc:
            self._report_skipped(skipped)
            raise CommandError(str(exc.message)) from exc
        finally:
            bar.close()
        self._report_skipped(skipped)
        out = Path(opts["out"])
        with batch.file.open("rb") as src:
            out.write_bytes(src.read())
        left = len(candidates) - batch.count - len(skipped)
        self.stdout.write(
            self.style.SUCCESS(
                f"{batch.count} expenses, total {Money(batch.total, batch.currency).as_decimal()} {batch.currency}, written to {out} "
                f"(batch {batch.public_id}, {batch.schema})."
            )
        )
        if left:
            self.stdout.write(f"{left} approved expenses left out: their collective cannot afford them now.")
        self.stdout.write("Upload the file to the bank, then mark the batch as sent on the host's expenses page.")

    def _report_skipped(self, skipped) -> None:
        for expense in skipped:
            self.stderr.write(
                f"Skipped {expense.public_id} “{expense.title}” ({expense.collective.slug}): the bank would refuse its "
                "account details (IBAN, BIC or holder); ask the submitter to correct them."
            )
