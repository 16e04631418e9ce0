"""The organiser's event form: the event, an optional repeat rule, and its first ticket type."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from opencity.core.fields import AmountField
from opencity.hosting.models import LANGUAGE_CHOICES

REPEAT_CHOICES = [
    ("", _("Does not repeat")),
    ("FREQ=WEEKLY", _("Every week")),
    ("FREQ=MONTHLY;BYDAY=1WE", _("First Wednesday of every month")),
    ("FREQ=MONTHLY;BYDAY=1SA", _("First Saturday of every month")),
    ("FREQ=MONTHLY", _("Same day every month")),
]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description (Markdown)"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    starts_at = forms.DateTimeField(label=_("Starts (Brussels time)"), widget=LocalDateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends (Brussels time)"), widget=LocalDateTimeInput())
    venue_name = forms.CharField(label=_("Venue"), max_length=200, required=False)
    venue_address = forms.CharField(label=_("Address"), max_length=300, required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=LANGUAGE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    private_instructions = forms.CharField(
        label=_("Instructions sent only to attendees (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    accent_colour = forms.CharField(label=_("Accent colour (optional, e.g. #1a6b54)"), max_length=7, required=False)
    cover = forms.FileField(label=_("Cover image (optional, JPEG, PNG, WebP or GIF)"), required=False)
    logo = forms.FileField(label=_("Logo (optional; also on the poster)"), required=False)
    repeat = forms.ChoiceField(label=_("Repeat"), choices=REPEAT_CHOICES, required=False)
    rrule = forms.CharField(label=_("Or your own RRULE (advanced)"), max_length=300, required=False)
    count = forms.IntegerField(label=_("Number of dates"), min_value=1, max_value=60, initial=6, required=False)
    ticket_name = forms.CharField(label=_("Ticket name"), max_length=100, initial=_("Registration"))
    ticket_price = AmountField(label=_("Price (0 for free registration)"), initial="0", required=False)
    ticket_quantity = forms.IntegerField(label=_("Places"), min_value=1, max_value=100_000, initial=50)
    ticket_max_per_order = forms.IntegerField(label=_("Maximum per order"), min_value=1, max_value=100, initial=4)

    def __init__(self, *args, currency: str = "EUR", **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["ticket_price"].currency = currency

    def clean_ticket_price(self) -> int:
        return self.cleaned_data.get("ticket_price") or 0  # empty means free


class TicketTypeForm(forms.Form):
    """Another ticket type for an event: its price, places, sales window and questions to each attendee."""

    name = forms.CharField(label=_("Ticket name"), max_length=100)
    price = AmountField(label=_("Price (0 for free registration)"), initial="0", required=False)
    quantity = forms.IntegerField(label=_("Places"), min_value=1, max_value=100_000, initial=50)
    max_per_order = forms.IntegerField(label=_("Maximum per order"), min_value=1, max_value=100, initial=4)
    sales_start = forms.DateTimeField(
        label=_("Sales open (Brussels time, optional)"), widget=LocalDateTimeInput(), required=False
    )
    sales_end = forms.DateTimeField(
        label=_("Sales close (Brussels time, optional)"), widget=LocalDateTimeInput(), required=False
    )
    questions = forms.CharField(
        label=_("Questions to each attendee (optional, one per line, at most 5)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, currency: str = "EUR", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price"].currency = currency

    def clean_price(self) -> int:
        return self.cleaned_data.get("price") or 0  # empty means free

    def clean_questions(self) -> list[str]:
        lines = [q.strip() for q in (self.cleaned_data.get("questions") or "").splitlines() if q.strip()]
        if len(lines) > 5:
            raise forms.ValidationError(_("Ask at most 5 questions."), code="too_many_questions")
        return lines


class HelperForm(forms.Form):
    email = forms.EmailField(label=_("Door helper's email (they need an account)"))
