from django import forms
from django.utils.translation import gettext_lazy as _

from opencity.movement.services import CURRENCIES

LANGUAGE_CHOICES = [("en", "English"), ("fr", "Français"), ("nl", "Nederlands"), ("ar", "العربية")]


class HostRequestForm(forms.Form):
    name = forms.CharField(label=_("Name of the movement"), max_length=120)
    slug = forms.SlugField(label=_("Address"), max_length=50)
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    enterprise_number = forms.CharField(label=_("Enterprise number"), max_length=20)
    iban = forms.CharField(label=_("IBAN"), max_length=42)
    currency = forms.ChoiceField(label=_("Currency"), choices=[(c, c) for c in CURRENCIES])
    default_host_fee_percent = forms.DecimalField(label=_("Default host fee (%)"), min_value=0, max_value=50, initial=8)
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=LANGUAGE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    logo = forms.FileField(label=_("Logo"), required=False)
    message = forms.CharField(label=_("About your group"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
