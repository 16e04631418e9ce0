"""Sign-up, email confirmation, login (with the two-factor step), logout and the language switch."""

import ipaddress
import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy, translate_url
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from opencity.accounts import otp, permissions, rate_limits, services
from opencity.accounts.conf import knob_list
from opencity.accounts.forms import LoginForm, PasswordResetForm, SecondFactorForm, SignupForm
from opencity.accounts.models import RateLimitEvent, User
from opencity.core.errors import DomainError
from opencity.core.redirects import safe_next

OTP_SESSION_KEY = "accounts_otp_pending"
OTP_MAX_AGE = 300
RESEND_SALT = "opencity.accounts.resend"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The caller's address for rate limiting. Behind a trusted reverse proxy (loopback by default,
    settings.TRUSTED_PROXIES), the address the proxy appended to X-Forwarded-For; otherwise REMOTE_ADDR,
    so that a proxy's own address never locks everybody out and a client cannot pick its own."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    trusted = set(knob_list("TRUSTED_PROXIES", ("127.0.0.1", "::1")))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and remote in trusted:
        return _valid_ip(forwarded.split(",")[-1]) or remote
    return remote


_client_ip = client_ip


def _safe_next(request, default: str = "") -> str:
    return safe_next(request, default)


def _complete_login(request, user: User, next_url: str = "", *, second_factor: bool = False):
    """Log the user in, switch to their language, send them on. `second_factor`: they just passed it, so
    the new session starts verified (opencity.accounts.otp records it at login)."""
    if second_factor:
        user.otp_verified_at = time.time()
    auth_login(request, user, backend=MODEL_BACKEND)
    rate_limits.login_attempts_clear(email=user.email)
    if user.preferred_language:
        translation.activate(user.preferred_language)
        request.LANGUAGE_CODE = user.preferred_language
    return redirect(next_url or reverse("home"))


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email, ip = form.cleaned_data["email"], _client_ip(request)
        if not rate_limits.rate_take(kind=RateLimitEvent.Kind.SIGNUP, email=email, ip=ip):
            form.add_error(None, _("Too many sign-ups from this address. Please try again in an hour."))
            return render(request, "accounts/signup.html", {"form": form}, status=429)
        try:
            services.user_signup(
                name=form.cleaned_data["name"],
                email=email,
                password=form.cleaned_data["password"],
                language=translation.get_language() or "",
            )
        except DomainError as exc:
            if exc.code != "email_taken":
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
                return render(request, "accounts/signup.html", {"form": form})
            # The same answer as for a new account; the owner of the address gets an email instead.
            services.signup_notice_send(email=email, ip=ip)
        return render(request, "accounts/signup_done.html", {"email": services.normalize_email(email)})
    return render(request, "accounts/signup.html", {"form": form})


def confirm(request, token: str):
    try:
        user, newly = services.user_confirm_email(token=token)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("accounts:login")
    if newly and not user.totp_enabled:
        response = _complete_login(request, user)
        messages.success(request, _("Your email address is confirmed. Welcome to OpenCity!"))
        return response
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("home")
    messages.info(request, _("Your email address is already confirmed. Please log in."))
    return redirect("accounts:login")


@require_POST
def resend_confirmation(request):
    """Only reachable after the right password of an unconfirmed account (the form carries a signed id)."""
    try:
        user_pk = signing.loads(request.POST.get("token", ""), salt=RESEND_SALT, max_age=3600)
    except signing.BadSignature:
        messages.error(request, _("Please log in again to get a new confirmation link."))
        return redirect("accounts:login")
    user = User.objects.filter(pk=user_pk, is_active=True).first()
    # Over the limit for this address or this IP, nothing is sent and the answer stays the same.
    if user is not None and rate_limits.rate_take(
        kind=RateLimitEvent.Kind.CONFIRM_RESEND, email=user.email, ip=_client_ip(request)
    ):
        services.confirmation_send(user=user)
    messages.success(request, _("We sent a new confirmation link. Check your inbox (and spam folder)."))
    return redirect("accounts:login")


def _too_many_message() -> str:
    minutes = max(1, rate_limits.rate_policy(RateLimitEvent.Kind.LOGIN)[2] // 60)
    return _("Too many failed attempts. For your safety, wait %(minutes)s minutes and try again.") % {
        "minutes": minutes
    }


def login(request):
    next_url = _safe_next(request)
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url or "home")
    form = LoginForm(request.POST or None)
    resend_token = ""
    if request.method == "POST" and form.is_valid():
        email, ip = form.cleaned_data["email"], _client_ip(request)
        if rate_limits.login_is_limited(email=email, ip=ip):
            form.add_error(None, _too_many_message())
        else:
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            if user is None:
                rate_limits.login_attempt_record(email=email, ip=ip)
                form.add_error(None, _("The email address or the password is wrong."))
            elif not user.email_confirmed:
                resend_token = signing.dumps(user.pk, salt=RESEND_SALT)
                form.add_error(None, _("Please confirm your email address first: open the link we emailed you."))
            elif user.totp_enabled:
                request.session[OTP_SESSION_KEY] = {"u": user.pk, "at": int(time.time()), "next": next_url}
                return redirect("accounts:login_otp")
            else:
                return _complete_login(request, user, next_url)
    return render(request, "accounts/login.html", {"form": form, "next": next_url, "resend_token": resend_token})


def login_otp(request):
    pending = request.session.get(OTP_SESSION_KEY) or {}
    user = None
    if pending and time.time() - pending.get("at", 0) <= OTP_MAX_AGE:
        user = User.objects.filter(pk=pending.get("u"), is_active=True, totp_enabled=True).first()
    if user is None:
        request.session.pop(OTP_SESSION_KEY, None)
        messages.error(request, _("Please log in again."))
        return redirect("accounts:login")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _second_factor_check(request, user, form):
            request.session.pop(OTP_SESSION_KEY, None)
            return _complete_login(request, user, pending.get("next", ""), second_factor=True)
    return render(request, "accounts/login_otp.html", {"form": form})


def _second_factor_check(request, user: User, form) -> bool:
    """A TOTP or recovery code typed at login or at the sudo prompt; wrong ones are counted and limited."""
    ip = _client_ip(request)
    if rate_limits.second_factor_is_limited(email=user.email, ip=ip):
        form.add_error(None, _too_many_message())
        return False
    if services.second_factor_verify(user=user, code=form.cleaned_data["otp"]):
        return True
    rate_limits.second_factor_failure_record(email=user.email, ip=ip)
    form.add_error("otp", _("This code is not valid. Check your device's clock and try again."))
    return False


@login_required
def sudo(request):
    """ "Confirm with your code": money actions need a second factor passed within the sudo window."""
    user, next_url = request.user, _safe_next(request)
    if not permissions.totp_on(user):
        messages.warning(request, _("Turn on two-factor authentication first: it is required before moving money."))
        return redirect(reverse("accounts:settings") + "#two-factor")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _second_factor_check(request, user, form):
        otp.mark_verified(request, user)
        return redirect(next_url or reverse("accounts:settings"))
    minutes = max(1, permissions.sudo_window() // 60)
    return render(
        request,
        "accounts/sudo.html",
        {"form": form, "next": next_url, "minutes": minutes},
        status=400 if form.errors else 200,
    )


def admin_login(request):
    """The Django admin logs in through the site's one login flow (rate limits, two-factor step)."""
    next_url = _safe_next(request, reverse("admin:index"))
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(next_url)
        raise PermissionDenied
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")


def set_language(request):
    """Django's language switch, which also remembers the choice for a signed-in user.

    The `next` URL is translated in the language of its own prefix, so switching works from any page.
    The header's switch is a list of links (GET `?language=fr&next=…`): the choice is kept in the language
    cookie, so an address without a language prefix opens in it too. A POST works as in Django.
    """
    next_url = safe_next(request, "/")
    path_lang = translation.get_language_from_path(urlsplit(next_url).path) or settings.LANGUAGE_CODE
    if request.method == "POST":
        lang = request.POST.get("language", "")
        with translation.override(path_lang):
            response = django_set_language(request)
    else:
        lang = request.GET.get("language", "")
        if lang not in dict(settings.LANGUAGES):
            return redirect(_safe_next(request, "/"))
        with translation.override(path_lang):
            target = translate_url(_safe_next(request, "/"), lang)
        response = HttpResponseRedirect(target)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            lang,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    if request.user.is_authenticated and lang:
        try:
            services.user_set_language(user=request.user, language=lang)
        except DomainError:
            pass
    return response


class PasswordReset(auth_views.PasswordResetView):
    """Django's reset request, limited per email and per IP address. Over the limit nothing is sent and the
    visitor sees the same "if an account uses this address…" page, so the answer reveals nothing."""

    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        allowed = rate_limits.rate_take(
            kind=RateLimitEvent.Kind.PASSWORD_RESET, email=form.cleaned_data["email"], ip=_client_ip(self.request)
        )
        if allowed:
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's view; a completed reset also proves the email address and lifts the login lock."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_mark_email_confirmed(user=self.user)
        rate_limits.login_attempts_clear(email=self.user.email)
        # Whoever knew the old password may have made a token with it.
        services.api_tokens_revoke_all(user=self.user)
        return response
