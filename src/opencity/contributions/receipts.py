"""Receipt numbers (per host and year, allocated under a row lock) and the PDF receipts and statements."""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from pathlib import Path

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from opencity.contributions.models import Contribution, ReceiptCounter
from opencity.hosting.receipt_prefix import host_assign_receipt_prefix
from opencity.money import Money, format_money

logger = logging.getLogger(__name__)

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # Debian: fonts-dejavu-core
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
]
FONT_BOLD_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
]


def receipt_prefix(host) -> str:
    """The host's own prefix (unique across hosts, see hosting.receipt_prefix), e.g. "BT"."""
    return host.receipt_prefix or host_assign_receipt_prefix(host=host)


def receipt_number_allocate(*, host, year: int) -> str:
    """The next number of `host` for `year`, e.g. BT-2026-000123; gap-free per host and year."""
    return receipt_numbers_allocate(host=host, year=year, count=1)[0]


def receipt_numbers_allocate(*, host, year: int, count: int) -> list[str]:
    """The next `count` numbers of `host` for `year`, in order, from one locked counter update."""
    with transaction.atomic():
        counter = ReceiptCounter.objects.select_for_update().filter(host=host, year=year).first()
        if counter is None:
            try:
                with transaction.atomic():
                    ReceiptCounter.objects.create(host=host, year=year, last=0)
            except IntegrityError:
                pass
            counter = ReceiptCounter.objects.select_for_update().get(host=host, year=year)
        first = counter.last + 1
        counter.last += count
        counter.save(update_fields=["last"])
    prefix = receipt_prefix(host)
    return [f"{prefix}-{year}-{n:06d}" for n in range(first, counter.last + 1)]


def contribution_number_receipt(*, contribution: Contribution) -> str | None:
    """Give a settled contribution its receipt number, in its own savepoint.

    Numbering must never block recording money: if it fails (a clash with a number already issued, a
    counter row in trouble), the payment stays recorded without a number, the error is logged, and
    `receipts_number_missing` (the daily job, and the receipt email task) tries again later.
    """
    c = contribution
    if c.receipt_number:
        return c.receipt_number
    if c.journal_id is None:
        return None
    paid = c.paid_at or timezone.now()
    try:
        with transaction.atomic():
            locked = Contribution.objects.select_for_update().select_related("collective__host").get(pk=c.pk)
            if locked.receipt_number:
                c.receipt_number = locked.receipt_number
                return c.receipt_number
            number = receipt_number_allocate(host=locked.collective.host, year=timezone.localtime(paid).year)
            Contribution.objects.filter(pk=c.pk).update(receipt_number=number)
    except DatabaseError:
        logger.exception("receipt number for %s not given; will retry", c.public_id)
        return None
    c.receipt_number = number
    return number


def receipts_number_missing() -> int:
    """Number every settled contribution that has no receipt number yet and send its receipt; how many."""
    from opencity.contributions.tasks import send_receipt

    done = 0
    missing = Contribution.objects.filter(journal__isnull=False, receipt_number__isnull=True).order_by("paid_at", "pk")
    for c in missing.iterator():
        if contribution_number_receipt(contribution=c):
            done += 1
            send_receipt.enqueue(contribution_id=c.pk)
    return done


class _Pdf(FPDF):
    def __init__(self):
        super().__init__(format="A4")
        self.set_margins(20, 20, 20)
        regular = next((p for p in FONT_CANDIDATES if Path(p).exists()), None)
        bold = next((p for p in FONT_BOLD_CANDIDATES if Path(p).exists()), None)
        self.unicode = regular is not None
        # Arabic pages read right to left: labels on the right, values to their left, text aligned right.
        self.rtl = bool(translation.get_language_bidi())
        if regular:
            self.add_font("Body", "", regular)
            self.add_font("Body", "B", bold or regular)
            self.family_name = "Body"
            if translation.get_language_bidi():
                self._shape_text()
        else:  # no DejaVu installed: core Helvetica, text transliterated to Latin-1
            self.family_name = "Helvetica"
        self.add_page()

    def _shape_text(self) -> None:
        """Arabic needs shaping (joined letters, right to left): fpdf2 does it with uharfbuzz when installed."""
        try:
            # No forced direction: fpdf2 runs the Unicode bidi algorithm, so Arabic reads right to left while
            # amounts, dates and Latin names inside it keep their own order.
            self.set_text_shaping(use_shaping_engine=True, language="ar")
        except Exception:  # noqa: BLE001, S110 - uharfbuzz missing: letters stay unjoined but readable
            pass

    def text(self, s: str) -> str:  # type: ignore[override]
        s = str(s)
        if self.unicode:
            return s
        s = s.replace("€", "EUR ").replace("\u202f", " ").replace("\u00a0", " ")
        return unicodedata.normalize("NFKD", s).encode("latin-1", "ignore").decode("latin-1")

    def line(self, label: str, value: str = "", *, bold: bool = False, size: int = 11) -> None:  # type: ignore[override]
        self.set_font(self.family_name, "B" if bold else "", size)
        if value and self.rtl:
            self.cell(self.epw - 70, 8, self.text(value), align="R")
            self.cell(70, 8, self.text(label), align="R", new_x="LMARGIN", new_y="NEXT")
        elif value:
            self.cell(70, 8, self.text(label))
            self.cell(0, 8, self.text(value), new_x="LMARGIN", new_y="NEXT")
        else:
            self.multi_cell(0, 7, self.text(label), align="R" if self.rtl else "L", new_x="LMARGIN", new_y="NEXT")


def _host_header(pdf: _Pdf, host) -> None:
    pdf.line(host.legal_name, bold=True, size=14)
    if host.enterprise_number:
        pdf.line(_("Enterprise number: %(number)s") % {"number": host.enterprise_number}, size=10)
    if host.address:
        pdf.line(host.address.replace("\n", ", "), size=10)
    pdf.ln(6)


def contributor_name(c) -> str:
    """The giver's name: the person's once the email's owner is known to have given, else the name as typed."""
    return (c.person.name if c.identity_verified else "") or c.contributor_name


def receipt_rows(contribution: Contribution) -> list[tuple[str, str]]:
    """The labelled lines of a receipt, in the active language (labels and values alike)."""
    c = contribution
    date = (c.paid_at or c.created_at).date()
    m = lambda v: format_money(Money(v, c.currency))  # noqa: E731
    rows = [
        (_("Date"), date.isoformat()),
        (_("Received from"), c.organisation_name or contributor_name(c) or c.person.email),
    ]
    if c.organisation_vat:
        rows.append((_("VAT number"), c.organisation_vat))
    rows += [
        (_("For the collective"), c.collective.name),
        (_("Amount"), m(c.amount)),
        (_("Payment processor fee"), m(c.processor_fee)),
        (_("Host fee"), m(c.host_fee)),
        (_("Received by the collective"), m(c.net_amount)),
        (_("Payment method"), c.payment_method_label),
        (_("Reference"), c.public_id),
    ]
    if c.recurring_id:
        rows.append((_("Membership"), c.get_interval_display()))
    return rows


def receipt_pdf(contribution: Contribution) -> bytes:
    """The receipt of one paid contribution, in the active language."""
    c = contribution
    host = c.collective.host
    pdf = _Pdf()
    _host_header(pdf, host)
    pdf.line(_("Receipt %(number)s") % {"number": c.receipt_number}, bold=True, size=16)
    pdf.ln(2)
    for label, value in receipt_rows(c):
        pdf.line(label, str(value))
    pdf.ln(6)
    pdf.line(
        _("%(host)s holds and manages this money on behalf of the collective %(collective)s. Thank you!")
        % {"host": host.legal_name, "collective": c.collective.name},
        size=10,
    )
    return bytes(pdf.output())


def statement_pdf(*, person, host, year: int, contributions: list[Contribution]) -> bytes:
    """Annual statement of one person's paid gifts to the collectives of one host."""
    pdf = _Pdf()
    _host_header(pdf, host)
    pdf.line(_("Annual statement %(year)s") % {"year": year}, bold=True, size=16)
    pdf.line(_("Contributor: %(name)s") % {"name": person.name or person.email}, size=11)
    pdf.ln(4)
    currency = host.currency
    total = 0
    pdf.set_font(pdf.family_name, "B", 10)
    widths = [28, 42, 70, 30]
    order = (lambda cells: cells[::-1]) if pdf.rtl else (lambda cells: cells)  # columns mirror in Arabic
    align = "R" if pdf.rtl else "L"
    for head, width in order(list(zip([_("Date"), _("Receipt"), _("Collective"), _("Amount")], widths, strict=True))):
        pdf.cell(width, 8, pdf.text(head), align=align)
    pdf.ln(8)
    pdf.set_font(pdf.family_name, "", 10)
    for c in contributions:
        total += c.kept_amount  # a partly refunded gift counts for what was kept
        values = [
            c.paid_at.date().isoformat(),
            c.receipt_number or "",
            c.collective.name[:40],
            format_money(Money(c.kept_amount, c.currency)),
        ]
        for value, width in order(list(zip(values, widths, strict=True))):
            pdf.cell(width, 7, pdf.text(value), align=align)
        pdf.ln(7)
    pdf.ln(4)
    pdf.line(_("Total"), format_money(Money(total, currency)), bold=True)
    pdf.ln(4)
    pdf.line(_("Issued on %(date)s.") % {"date": dt.date.today().isoformat()}, size=9)
    return bytes(pdf.output())


def receipt_pdf_in(contribution: Contribution, language: str) -> bytes:
    with translation.override(language or "en"):
        return receipt_pdf(contribution)
