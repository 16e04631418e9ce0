"""The settings page: profile, password, personal API tokens, two-factor authentication."""

import secrets

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencity.accounts import otp, permissions, selectors, services
from opencity.accounts.decorators import require_2fa
from opencity.accounts.forms import OtpForm, ProfileForm, TokenCreateForm
from opencity.core.errors import DomainError

NEW_TOKEN_SESSION_KEY = "accounts_new_api_token"
NEW_CODES_SESSION_KEY = "accounts_new_recovery_codes"


def _settings_url(anchor: str = "") -> str:
    return reverse("accounts:settings") + (f"#{anchor}" if anchor else "")


def _page(request, *, profile_form=None, token_form=None, disable_form=None, status=200):
    user = request.user
    context = {
        "profile_form": profile_form
        or ProfileForm(initial={"name": user.name, "preferred_language": user.preferred_language}),
        "token_form": token_form or TokenCreateForm(),
        "disable_form": disable_form or OtpForm(),
        "tokens": selectors.api_tokens_for(user),
        "new_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
        "has_2fa": permissions.totp_on(user),
        "new_recovery_codes": request.session.pop(NEW_CODES_SESSION_KEY, None),
        "recovery_codes_left": services.recovery_codes_left(user) if permissions.totp_on(user) else 0,
        "request_key": secrets.token_urlsafe(16),
    }
    return render(request, "accounts/settings.html", context, status=status)


@login_required
def settings_page(request):
    if request.method != "POST":
        return _page(request)
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            user = services.user_update(
                user=request.user,
                name=form.cleaned_data["name"],
                preferred_language=form.cleaned_data["preferred_language"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            if user.preferred_language:
                translation.activate(user.preferred_language)
            messages.success(request, _("Your settings are saved."))
            return redirect(_settings_url())
    return _page(request, profile_form=form, status=400)


@login_required
@require_POST
def token_create(request):
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return _page(request, token_form=form, status=400)
    raw = services.api_token_create_once(
        user=request.user, name=form.cleaned_data["name"], request_key=request.POST.get("request_key", "")
    )
    if raw is not None:  # None: the same form was submitted twice; the first submission shows the token
        request.session[NEW_TOKEN_SESSION_KEY] = raw
    return redirect(_settings_url("tokens"))


@login_required
@require_POST
def token_revoke(request, token_id: int):
    try:
        token = services.api_token_revoke(user=request.user, token_id=token_id)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return redirect(_settings_url("tokens"))


@login_required
@require_POST
def totp_begin(request):
    try:
        services.totp_begin(user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(_settings_url("two-factor"))
    return redirect("accounts:totp_setup")


@login_required
def totp_setup(request):
    """Scan the QR code (or type the secret), then confirm with a code before two-factor is switched on."""
    user = request.user
    if user.totp_enabled:
        return redirect(_settings_url("two-factor"))
    if not user.totp_secret:
        return redirect(_settings_url("two-factor"))
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_enable(user=user, code=form.cleaned_data["otp"])
        except DomainError as exc:
            form.add_error("otp", str(exc.message))
        else:
            # The code just typed proves the second factor for this session too.
            otp.mark_verified(request, user)
            request.session[NEW_CODES_SESSION_KEY] = services.recovery_codes_generate(user=user)
            messages.success(request, _("Two-factor authentication is on. You will need a code at each login."))
            return redirect(_settings_url("two-factor"))
    uri = services.totp_uri(user)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=5, title=_("QR code for your authenticator app"))
    secret = " ".join(user.totp_secret[i : i + 4] for i in range(0, len(user.totp_secret), 4))
    return render(
        request,
        "accounts/totp_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def totp_disable(request):
    form = OtpForm(request.POST)
    if form.is_valid():
        try:
            services.totp_disable(user=request.user, code=form.cleaned_data["otp"])
        except DomainError as exc:
            form.add_error("otp", str(exc.message))
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return redirect(_settings_url("two-factor"))
    return _page(request, disable_form=form, status=400)


@login_required
def password_change_done(request):
    messages.success(request, _("Your password is changed."))
    return redirect(_settings_url())


@require_2fa
@require_POST
def recovery_codes_renew(request):
    """New recovery codes (the old ones stop working); asks for a fresh code first, like a money action."""
    request.session[NEW_CODES_SESSION_KEY] = services.recovery_codes_generate(user=request.user)
    messages.success(request, _("New recovery codes are ready. The old ones no longer work."))
    return redirect(_settings_url("two-factor"))
