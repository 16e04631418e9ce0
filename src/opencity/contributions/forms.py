"""Turn posted forms into service input. The services validate; these only parse shapes (amounts as text)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from opencity.contributions.errors import InvalidContribution
from opencity.contributions.models import Interval, Tier
from opencity.contributions.services import CheckoutRequest
from opencity.money import InvalidAmount
from opencity.money import parse_amount as parse_money


def parse_amount(text: str, currency: str, field: str = "amount") -> int | None:
    """A typed amount in minor units (None when empty), through the one amount parser."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return parse_money(text, currency)
    except InvalidAmount as exc:
        raise InvalidContribution(exc.message, code=exc.code, field=field) from None


def checkout_request_from_post(post, *, collective, language: str) -> CheckoutRequest:
    currency = (post.get("currency") or collective.currency).strip().upper()[:8]
    amount = parse_amount(post.get("amount", ""), collective.currency)
    if amount is None and post.get("preset", "").strip():
        preset = post["preset"].strip()
        if not preset.isascii() or not preset.isdigit() or len(preset) > 15:
            raise InvalidContribution(_("Choose an amount."), code="invalid_amount", field="amount")
        amount = int(preset)
    return CheckoutRequest(
        amount=amount,
        currency=currency,
        interval=post.get("interval", "").strip(),
        tier=post.get("tier", "").strip(),
        payment_method=post.get("payment_method", "").strip(),
        email=post.get("email", "").strip(),
        name=post.get("name", "").strip()[:200],
        anonymous=post.get("anonymous") in ("on", "1", "true"),
        public_message=post.get("public_message", "").strip(),
        cover_fees=post.get("cover_fees") in ("on", "1", "true"),
        organisation_name=post.get("organisation_name", ""),
        organisation_website=post.get("organisation_website", ""),
        organisation_vat=post.get("organisation_vat", ""),
        language=language,
        idempotency_token=post.get("idempotency_token", ""),
        keep_informed=post.get("keep_informed") in ("on", "1", "true"),
    )


class TierForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    type = forms.ChoiceField(label=_("Type"), choices=Tier.Type.choices)
    amount_type = forms.ChoiceField(label=_("Amount"), choices=Tier.AmountType.choices)
    amount = forms.CharField(label=_("Amount (fixed, or suggested)"), required=False)
    presets = forms.CharField(label=_("Preset amounts, separated by spaces"), required=False)
    minimum = forms.CharField(label=_("Minimum"), initial="1")
    interval = forms.ChoiceField(label=_("Interval"), choices=Interval.choices)
    goal = forms.CharField(label=_("Goal (optional)"), required=False)
    quantity_limit = forms.IntegerField(label=_("Available quantity (optional)"), required=False, min_value=1)

    def service_kwargs(self, currency: str) -> dict:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "description": d["description"],
            "type": d["type"],
            "amount_type": d["amount_type"],
            "amount": parse_amount(d["amount"], currency),
            "presets": [parse_amount(p, currency, "presets") for p in d["presets"].replace(";", " ").split()],
            "minimum": parse_amount(d["minimum"], currency, "minimum") or 100,
            "interval": d["interval"],
            "goal": parse_amount(d["goal"], currency, "goal"),
            "quantity_limit": d["quantity_limit"],
        }
