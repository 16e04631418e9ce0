"""Forms for the expense pages. They parse; the services validate the rules and save."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from opencity.core.errors import ValidationFailed
from opencity.expenses.inputs import field_problems, item_problems
from opencity.expenses.models import ExpenseType, PayeeType, ReceiptUpload
from opencity.expenses.receipts import receipt_upload_create, receipt_upload_delete
from opencity.expenses.services import ItemInput, PayeeInput, category_choices
from opencity.money import InvalidAmount, Money


class AmountField(forms.CharField):
    """A human amount ("12.50" or "12,50") → int of minor units."""

    def __init__(self, *args, currency: str = "EUR", **kwargs):
        self.currency = currency
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 10}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return Money.parse(value, self.currency).amount
        except InvalidAmount as exc:  # the one amount parser's own, translated message
            raise forms.ValidationError(exc.message, code=exc.code) from None


class ExpenseForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=ExpenseType.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"))
    event_ref = forms.ChoiceField(label=_("Event (optional)"), required=False)
    payee_type = forms.ChoiceField(
        label=_("Who is paid?"), choices=PayeeType.choices, widget=forms.RadioSelect, initial=PayeeType.SELF
    )
    payee_name = forms.CharField(label=_("Organisation name"), max_length=200, required=False)
    payout_method = forms.ChoiceField(label=_("Bank account"), required=False)
    iban = forms.CharField(label=_("IBAN"), max_length=42, required=False)
    account_holder = forms.CharField(label=_("Account holder"), max_length=70, required=False)
    bic = forms.CharField(label=_("BIC (optional)"), max_length=11, required=False)
    street = forms.CharField(label=_("Street"), max_length=70, required=False)
    number = forms.CharField(label=_("Number"), max_length=16, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=16, required=False)
    town = forms.CharField(label=_("Town"), max_length=35, required=False)
    country = forms.CharField(label=_("Country (2 letters)"), max_length=2, required=False)
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=60, required=False)
    supplier_vat = forms.CharField(label=_("Supplier VAT number"), max_length=30, required=False)
    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    note = forms.CharField(
        label=_("Note for the admins (private)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, host, methods=(), fixed_type: str | None = None, collective=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(host)
        events = collective.events.order_by("-starts_at")[:100] if collective is not None else []
        self.fields["event_ref"].choices = [("", _("No event"))] + [
            (e.public_id, f"{e.title} ({date_format(timezone.localtime(e.starts_at), 'SHORT_DATE_FORMAT')})")
            for e in events
        ]
        self.methods = {m.public_id: m for m in methods}
        self.fields["payout_method"].choices = [("", _("A new bank account (below)"))] + [
            (m.public_id, str(m)) for m in methods
        ]
        if fixed_type:
            self.fields["type"].required = False
            self.fields["type"].disabled = True
            self.fields["type"].initial = fixed_type

    def payee(self) -> PayeeInput:
        d = self.cleaned_data
        return PayeeInput(
            type=d["payee_type"],
            name=d.get("payee_name", ""),
            iban=d.get("iban", ""),
            account_holder=d.get("account_holder", ""),
            bic=d.get("bic", ""),
            payout_method=self.methods.get(d.get("payout_method") or ""),
            address={k: d.get(k, "") for k in ("street", "number", "postcode", "town", "country")},
        )


class ItemForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    incurred_on = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    amount = AmountField(label=_("Amount"), required=False)
    receipt = forms.FileField(
        label=_("Receipt (PDF, JPEG, PNG or HEIC, up to 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.heic,application/pdf,image/*"}),
    )
    keep = forms.CharField(widget=forms.HiddenInput, required=False)
    # A receipt already uploaded for this row (a ReceiptUpload of the same user), kept across round trips.
    pending = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)
    upload = None  # the ReceiptUpload behind `pending`, set by keep_receipts()

    def is_blank(self) -> bool:
        d = self.cleaned_data
        return not (
            d.get("description")
            or d.get("incurred_on")
            or d.get("amount")
            or d.get("receipt")
            or d.get("keep")
            or self.upload is not None
        )

    def item(self) -> ItemInput:
        d = self.cleaned_data
        amount = d.get("amount")
        return ItemInput(
            description=d.get("description") or "",
            incurred_on=d.get("incurred_on"),
            amount=amount if amount is not None else 0,
            receipt=None if self.upload is not None else (d.get("receipt") or None),
            keep_receipt_of=d.get("keep") or "",
            upload=self.upload,
        )


ItemFormSet = forms.formset_factory(ItemForm, extra=0, max_num=50, validate_max=True)


def item_formset(data=None, files=None, *, initial=None, rows: int = 2, add: bool = False):
    """The items formset. "Add item" (a submit button, works without JS) re-renders one more row."""
    if data is not None and add:
        data = data.copy()
        key = "items-TOTAL_FORMS"
        data[key] = str(min(int(data.get(key, "0") or 0) + 1, 50))
    formset = ItemFormSet(data, files, prefix="items", initial=initial)
    if data is None:
        formset.extra = max(0, rows - len(initial or []))
    return formset


def keep_receipts(formset, *, user, remove: str = "") -> None:
    """Turn every receipt picked in this request into a kept upload, so no round trip drops it.

    Works without JavaScript: the files of one submit are kept here; with JavaScript they were already
    uploaded one by one as they were picked and arrive as `pending` ids. `remove` is the prefix of a row
    whose kept receipt the person removed.
    """
    formset.data = formset.data.copy()
    for f in formset.forms:
        key = f"{f.prefix}-pending"
        upload_file = formset.files.get(f"{f.prefix}-receipt") if formset.files else None
        if remove and remove == f.prefix:
            receipt_upload_delete(by=user, public_id=formset.data.get(key, ""))
            formset.data[key] = ""
            continue
        if upload_file is not None:
            try:
                row = receipt_upload_create(by=user, upload=upload_file)
            except ValidationFailed as exc:
                f.receipt_error = str(exc.message)
            else:
                formset.data[key] = row.public_id
        pending = formset.data.get(key, "")
        if pending:
            f.upload = ReceiptUpload.objects.filter(uploaded_by=user, public_id=pending).first()
            if f.upload is None:
                formset.data[key] = ""


def collect_items(formset) -> list[ItemInput]:
    return [f.item() for f in formset.forms if f.cleaned_data and not f.is_blank()]


def apply_error(exc: ValidationFailed, form: forms.Form, formset) -> None:
    """Show a service's refusal next to the field it is about (once: a field the form already refused
    keeps its own message)."""
    field = exc.field or ""
    if field.startswith("items."):
        parts = field.split(".")
        try:
            index = int(parts[1])
            name = {"date": "incurred_on"}.get(parts[2], parts[2]) if len(parts) > 2 else None
            target = [f for f in formset.forms if f.cleaned_data is not None and not _blank(f)][index]
            name = name if name in target.fields else None
            if name is None or not target.errors.get(name):
                target.add_error(name, str(exc.message))
            return
        except (ValueError, IndexError):
            pass
    if field == "items":
        formset._non_form_errors = formset.non_form_errors() + [str(exc.message)]
        return
    name = field if field in form.fields else None
    if name is None or not form.errors.get(name):
        form.add_error(name, str(exc.message))


def _blank(f) -> bool:
    return not hasattr(f, "cleaned_data") or f.is_blank()


def all_problems(form, formset, *, collective, expense_type: str, existing: dict) -> list[ValidationFailed]:
    """Every refusal of a submission at once, so the person fixes them in one go."""
    d = getattr(form, "cleaned_data", {}) or {}
    payee = PayeeInput(
        type=d.get("payee_type") or "",
        name=d.get("payee_name", ""),
        iban=d.get("iban", ""),
        account_holder=d.get("account_holder", ""),
        bic=d.get("bic", ""),
        payout_method=form.methods.get(d.get("payout_method") or ""),
        address={k: d.get(k, "") for k in ("street", "number", "postcode", "town", "country")},
    )
    problems = field_problems(
        collective=collective,
        type=expense_type,
        title=d.get("title", ""),
        category=d.get("category", ""),
        payee=payee,
        note=d.get("note", ""),
        bank=True,
    )
    items = [f.item() for f in formset.forms if hasattr(f, "cleaned_data") and not f.is_blank()]
    return problems + item_problems(items, expense_type=expense_type, existing=existing)


class MarkPaidForm(forms.Form):
    paid_on = forms.DateField(
        label=_("Paid on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    bank_fee = AmountField(label=_("Bank fee (optional)"), required=False)


class BatchPaidForm(forms.Form):
    bank_fee = AmountField(
        label=_("Bank fee for the whole file (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10, "aria-describedby": "bank-fee-help"}),
        help_text=_("Shared by the collectives in proportion to what the file paid for each."),
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    private = forms.BooleanField(label=_("Private: only the people involved see it"), required=False, initial=True)


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("New category"), max_length=80)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
