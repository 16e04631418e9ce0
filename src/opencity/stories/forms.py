from django import forms
from django.utils.translation import gettext_lazy as _

from opencity.stories.models import Story, Theme

LANGUAGE_CHOICES = [("en", "English"), ("fr", "Français"), ("nl", "Nederlands"), ("ar", "العربية")]


class StoryForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 12}))
    theme = forms.ChoiceField(label=_("Theme"), choices=Theme.choices)
    visibility = forms.ChoiceField(label=_("Who can read it"), choices=Story.Visibility.choices)
    image = forms.FileField(label=_("Image"), required=False)
    image_alt = forms.CharField(label=_("Image description"), max_length=200, required=False)
    publish_at = forms.DateTimeField(
        label=_("Publish at (leave empty for now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class VersionForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 12}))
