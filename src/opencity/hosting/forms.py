"""Forms parse and present input; the services decide. A service's ValidationFailed lands on its field."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opencity.core.errors import DomainError
from opencity.hosting.models import LANGUAGE_CHOICES, Category, Collective, Commune
from opencity.money import Money


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels sit above their fields: no "Name:" colons
        super().__init__(*args, **kwargs)


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal next to the field it is about (or on top of the form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


class LanguagesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", LANGUAGE_CHOICES)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Languages"))
        super().__init__(**kwargs)


class CollectiveCreateForm(_Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.CharField(
        label=_("Address"),
        max_length=50,
        required=False,
        help_text=_("Lowercase letters, digits and dashes. Leave empty and we suggest one from the name."),
    )
    description = forms.CharField(
        label=_("Short description"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        help_text=_("One or two sentences: what you do, where, for whom."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.OTHER)
    commune = forms.ChoiceField(
        label=_("Commune or neighbourhood"), choices=Commune.choices, initial=Commune.WHOLE_CITY
    )
    languages = LanguagesField(help_text=_("The languages your collective speaks."))
    host = forms.ChoiceField(label=_("Host"))
    message = forms.CharField(
        label=_("Message to the host"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text=_("Tell the host who you are and what the money will be used for."),
    )

    def __init__(self, *args, hosts, **kwargs):
        super().__init__(*args, **kwargs)
        self.hosts = {h.slug: h for h in hosts}
        self.fields["host"].choices = [(h.slug, h.name) for h in hosts]
        # While the name is typed, htmx asks the server for a free address (works without JS too).
        self.fields["name"].widget.attrs.update(
            {
                "hx-get": reverse("hosting:slug_check"),
                "hx-trigger": "input changed delay:400ms",
                "hx-target": "#slug-field",
                "hx-swap": "outerHTML",
                "hx-include": "#id_slug, #id_slug_suggested",
                "autocomplete": "off",
                "dir": "auto",
            }
        )
        if len(hosts) == 1:
            self.fields["host"].widget = forms.HiddenInput()
            self.fields["host"].initial = hosts[0].slug

    def clean_host(self):
        return self.hosts[self.cleaned_data["host"]]


class CollectiveEditForm(forms.ModelForm):
    languages = LanguagesField()
    # Not a model field of this form: the service checks it like a new collective's and keeps the old one.
    slug = forms.CharField(
        label=_("Address"),
        max_length=50,
        required=False,
        help_text=_(
            "Lowercase letters, digits and dashes. If you change it, the old address of the page redirects to "
            "the new one, and no other collective can take it."
        ),
    )
    field_order = ["name", "slug"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.initial.setdefault("slug", self.instance.slug)
        self.fields["slug"].widget.attrs.update({"autocomplete": "off", "dir": "ltr", "spellcheck": "false"})

    def changes(self) -> dict:
        """The edited fields; an address left empty (or not sent) stays as it is."""
        changes = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if self.cleaned_data.get("slug"):
            changes["slug"] = self.cleaned_data["slug"]
        return changes

    class Meta:
        model = Collective
        fields = ["name", "description", "long_description", "category", "commune", "languages", "website"]
        widgets = {
            "name": forms.TextInput(attrs={"dir": "auto"}),
            "description": forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
            "long_description": forms.Textarea(attrs={"rows": 12, "dir": "auto"}),
        }
        help_texts = {
            "long_description": _("Markdown: **bold**, *italic*, [links](https://…), lists, ## headings."),
        }


class HostSettingsForm(_Form):
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    enterprise_number = forms.CharField(
        label=_("Enterprise number"), max_length=20, required=False, help_text=_("For example 0403.170.701.")
    )
    iban = forms.CharField(label=_("IBAN"), max_length=42, required=False)
    bic = forms.CharField(label=_("BIC"), max_length=11, required=False)
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    default_host_fee_percent = forms.DecimalField(
        label=_("Default host fee (%)"), min_value=Decimal(0), max_value=Decimal(50), decimal_places=2
    )
    languages = LanguagesField()
    expense_two_approvals_above = forms.DecimalField(
        label=_("Two approvals needed for expenses above"),
        required=False,
        min_value=Decimal(0),
        decimal_places=2,
        help_text=_("An amount in the host's currency. Leave empty: one approval is always enough."),
    )
    membership_grace_days = forms.IntegerField(
        label=_("Grace period for failed membership renewals (days)"), min_value=0, max_value=365
    )
    receipt_prefix = forms.CharField(
        label=_("Receipt number prefix"),
        max_length=8,
        required=False,
        help_text=_("Receipts are numbered PREFIX-year-number; no other host may use the same prefix."),
    )

    def __init__(self, *args, host, **kwargs):
        self.host = host
        super().__init__(*args, **kwargs)

    @classmethod
    def for_host(cls, host, data=None):
        threshold = host.expense_two_approvals_above
        initial = {
            "legal_name": host.legal_name,
            "enterprise_number": host.enterprise_number,
            "iban": host.iban,
            "bic": host.bic,
            "address": host.address,
            "default_host_fee_percent": host.default_host_fee_percent,
            "languages": host.languages,
            "expense_two_approvals_above": None if threshold is None else Money(threshold, host.currency).as_decimal(),
            "membership_grace_days": host.membership_grace_days,
            "receipt_prefix": host.receipt_prefix,
        }
        return cls(data, host=host, initial=initial)

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("receipt_prefix"):
            data.pop("receipt_prefix", None)  # left empty: keep the current one
        threshold = data.pop("expense_two_approvals_above")
        data["expense_two_approvals_above"] = (
            None if threshold is None else Money.parse(threshold, self.host.currency).amount
        )
        return data


class InviteForm(_Form):
    email = forms.EmailField(label=_("Email address"))


class RejectForm(_Form):
    reason = forms.CharField(
        label=_("Reason (sent to the applicants)"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        max_length=2000,
    )
