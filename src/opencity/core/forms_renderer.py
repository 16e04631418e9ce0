"""How every form renders its fields: Django's templates, except that a checkbox comes before its words, inside its
label (as people expect and as screen readers announce it), instead of under a label that ends with a colon."""

from django.forms.renderers import DjangoTemplates


class Renderer(DjangoTemplates):
    field_template_name = "core/forms/field.html"
