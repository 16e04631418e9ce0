"""Parse query strings and posted forms of the community pages into selector and service input."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from opencity.community.selectors import PeopleFilter
from opencity.core.errors import ValidationFailed
from opencity.hosting.models import LANGUAGE_CHOICES, Collective, Commune


def _ints(values) -> list[int]:
    out = []
    for v in values:
        if str(v).isdigit() and len(str(v)) < 12:
            out.append(int(v))
    return out


def _date(value: str, field: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Enter a date such as 2026-03-31."), code="invalid_date", field=field) from None


def people_filter_from(query, host) -> PeopleFilter:
    """A PeopleFilter from a query string (page, export or API). Unknown values are dropped, bad dates refused."""
    slugs = [s for s in query.getlist("collective") if s][:50]
    collectives = (
        list(Collective.objects.filter(host=host, slug__in=slugs).values_list("pk", flat=True)) if slugs else []
    )
    languages = {code for code, _label in LANGUAGE_CHOICES}
    consent = query.get("consent", "")
    commune = query.get("commune", "")
    return PeopleFilter(
        q=query.get("q", "").strip()[:100],
        interests=_ints(query.getlist("interest"))[:20],
        skills=_ints(query.getlist("skill"))[:20],
        languages=[code for code in query.getlist("language") if code in languages],
        commune=commune if commune in Commune.values else "",
        collectives=collectives,
        events=[e[:40] for e in query.getlist("event") if e][:20],
        first_seen_from=_date(query.get("first_seen_from", ""), "first_seen_from"),
        last_seen_from=_date(query.get("last_seen_from", ""), "last_seen_from"),
        last_seen_to=_date(query.get("last_seen_to", ""), "last_seen_to"),
        consent=consent if consent in ("yes", "no") else "",
    )


class MailingForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)


class OpportunityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    date = forms.DateField(
        label=_("Date (empty: ongoing)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    commune = forms.ChoiceField(label=_("Commune"), choices=[("", "—"), *Commune.choices], required=False)
    skills = forms.CharField(label=_("Skills wanted, separated by commas"), max_length=500, required=False)
    people_needed = forms.IntegerField(label=_("People needed"), min_value=1, max_value=10000, initial=1)


class SignUpForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your email (never shown)"))
    message = forms.CharField(
        label=_("Message (optional)"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    keep_informed = forms.BooleanField(required=False)  # labelled with the host's consent wording in the view


class ProfileForm(forms.Form):
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"), choices=LANGUAGE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    commune = forms.ChoiceField(label=_("Your commune"), choices=[("", "—"), *Commune.choices], required=False)
    interests = forms.CharField(label=_("Interests, separated by commas"), max_length=500, required=False)
    skills = forms.CharField(label=_("Skills, separated by commas"), max_length=500, required=False)


def split_tags(text: str) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()][:20]
