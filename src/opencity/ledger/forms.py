import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.hosting.models import Collective
from opencity.money import InvalidAmount, Money


class AddedFundsForm(forms.Form):
    collective = forms.ModelChoiceField(label=_("Collective"), queryset=Collective.objects.none(), to_field_name="slug")
    amount = forms.CharField(label=_("Amount"), max_length=20, help_text=_("For example 250 or 250.50"))
    source = forms.CharField(label=_("Where the money comes from"), max_length=200)
    description = forms.CharField(label=_("What it is for"), max_length=300)
    date = forms.DateField(
        label=_("Date received"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    charge_host_fee = forms.BooleanField(label=_("Charge the host fee"), required=False, initial=True)
    token = forms.CharField(widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex, max_length=64)

    def __init__(self, *args, host, **kwargs):
        super().__init__(*args, **kwargs)
        self.host = host
        self.fields["collective"].queryset = Collective.objects.filter(
            host=host, status=Collective.Status.ACTIVE
        ).exclude(pk=host.profile_id)

    def clean_amount(self) -> int:
        try:
            money = Money.parse(self.cleaned_data["amount"], self.host.currency)
        except InvalidAmount as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        if money.amount <= 0:
            raise forms.ValidationError(_("Enter an amount greater than zero."))
        return money.amount


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class DateRangeForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AtDateForm(forms.Form):
    at = forms.DateField(label=_("At date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class GiftForm(forms.Form):
    """A collective gives to another collective of the same host."""

    to = forms.ModelChoiceField(label=_("To the collective"), queryset=Collective.objects.none(), to_field_name="slug")
    amount = forms.CharField(label=_("Amount"), max_length=20, help_text=_("For example 250 or 250.50"))
    description = forms.CharField(label=_("What it is for"), max_length=300)
    token = forms.CharField(widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex, max_length=64)

    def __init__(self, *args, collective, **kwargs):
        super().__init__(*args, **kwargs)
        self.collective = collective
        self.fields["to"].queryset = (
            Collective.objects.filter(host_id=collective.host_id, status=Collective.Status.ACTIVE)
            .exclude(pk=collective.pk)
            .exclude(pk=collective.host.profile_id)
        )

    def clean_amount(self) -> int:
        try:
            money = Money.parse(self.cleaned_data["amount"], self.collective.currency)
        except InvalidAmount as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        if money.amount <= 0:
            raise forms.ValidationError(_("Enter an amount greater than zero."))
        return money.amount
