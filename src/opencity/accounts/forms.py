from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class SignupForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Email address"), max_length=254)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not a common password."),
    )

    def clean(self):
        """Check the password with the other fields, so every error shows at once, each saying why."""
        data = super().clean()
        password = data.get("password")
        if password:
            from django.contrib.auth import password_validation

            from opencity.accounts.models import User

            candidate = User(email=self.data.get("email", ""), name=self.data.get("name", ""))
            try:
                password_validation.validate_password(password, user=candidate)
            except forms.ValidationError as exc:
                for message in exc.messages:
                    self.add_error("password", message)
        return data


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"), max_length=254, widget=forms.EmailInput(attrs={"autofocus": True})
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class OtpForm(forms.Form):
    otp = forms.CharField(
        label=_("6-digit code"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "autofocus": True}
        ),
    )


class SecondFactorForm(forms.Form):
    """At login and at the sudo prompt: a code from the authenticator app, or one of the recovery codes."""

    otp = forms.CharField(
        label=_("6-digit code or recovery code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off"}),
    )


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].choices = [("", _("Automatic"))] + [
            (code, name) for code, name in settings.LANGUAGES
        ]
        self.fields["preferred_language"].required = False


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100, help_text=_("What will use it, e.g. “my script”."))


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's reset form, with the email in the recipient's language and links to SITE_URL."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        user = context.get("user")
        lang = getattr(user, "preferred_language", "") or translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(lang):
            context = {**context, "SITE_URL": settings.SITE_URL}
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
        from django.core.mail import EmailMultiAlternatives

        EmailMultiAlternatives(subject, body, from_email, [to_email]).send()
