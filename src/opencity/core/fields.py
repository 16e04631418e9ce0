"""Form fields shared by every app."""

from __future__ import annotations

from django import forms

from opencity.money import MAX_AMOUNT_MINOR, InvalidAmount, parse_amount


class AmountField(forms.CharField):
    """A typed amount ("12.50" or "12,50") → int of minor units, through the one amount parser
    (`opencity.money.parse_amount`): its translated message on a bad amount. Set `currency` (and, if
    needed, `maximum` in minor units) in the form's __init__ when it depends on the instance."""

    def __init__(self, *args, currency: str = "EUR", maximum: int = MAX_AMOUNT_MINOR, **kwargs):
        self.currency = currency
        self.maximum = maximum
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 10}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value, self.currency, maximum=self.maximum)
        except InvalidAmount as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
