"""`opencity import-statement --host <slug> FILE…`: import CAMT.053 or CODA bank statements, then match."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from opencity.banking import services
from opencity.banking.formats import max_bytes
from opencity.core.errors import DomainError
from opencity.hosting import selectors as hosting_selectors


class Command(BaseCommand):
    help = "Import bank statement files (CAMT.053 .001.02–.001.08 or CODA) for a host; each line is stored once."

    def add_arguments(self, parser):
        parser.add_argument("--host", required=True, help="the host's slug")
        parser.add_argument("files", nargs="+", help="statement files")

    def handle(self, *args, **opts):
        host = hosting_selectors.host_by_slug(opts["host"])
        if host is None:
            raise CommandError(f"No host with the address {opts['host']!r}.")
        failed = 0
        for name in opts["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file.")
            if path.stat().st_size > max_bytes():
                self.stderr.write(f"{name}: too large (at most {max_bytes()} bytes).")
                failed += 1
                continue
            bar = tqdm(desc=path.name, unit="line", disable=opts["verbosity"] == 0)
            try:
                result = services.statement_import(host=host, data=path.read_bytes(), system=True, progress=bar.update)
            except DomainError as exc:
                self.stderr.write(f"{name}: {exc.message}")
                failed += 1
                continue
            finally:
                bar.close()
            self.stdout.write(
                f"{name}: {len(result.statements)} statement(s), {result.new_statements} new; "
                f"{len(result.new_lines)} new lines, {result.known_lines} already known; {result.matched} matched."
            )
        if failed:
            raise CommandError(f"{failed} file(s) refused; nothing was imported from them.")
