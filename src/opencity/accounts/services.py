"""Every write about accounts: sign-up, email confirmation, profile, API tokens, two-factor.

How often people may try (logins, codes, emails from public forms): `accounts.rate_limits`.
"""

import hmac
import secrets
import time

import pyotp
from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.accounts import rate_limits
from opencity.accounts.conf import knob
from opencity.accounts.models import ApiToken, RateLimitEvent, RecoveryCode, User, normalize_email
from opencity.community.services import person_find_or_create
from opencity.core.errors import Conflict, NotFound, ValidationFailed

CONFIRM_SALT = "opencity.accounts.confirm-email"
TOTP_ISSUER = "OpenCity"
TOTP_WINDOW = 1


def _language_codes() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def _clean_language(language: str) -> str:
    language = (language or "").strip().lower()
    return language if language in _language_codes() else ""


# --- sign-up and email confirmation ------------------------------------------------------------


def user_signup(*, name: str, email: str, password: str, language: str = "") -> User:
    """A new, unconfirmed user and their Person; the confirmation email leaves after commit.

    Idempotent for a double-submitted form: the same email and password of a still unconfirmed
    account return that account instead of failing (and send no second email).
    """
    email = normalize_email(email)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Please enter your name."), field="name")
    if not email:
        raise ValidationFailed(_("Please enter your email address."), field="email")
    # The password is judged before looking the email up, so that the answer never depends on whether
    # an account exists (sign-up must not tell an attacker which addresses have one).
    try:
        password_validation.validate_password(password, user=User(email=email, name=name))
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="password") from exc
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        return _signup_retry(existing, password)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email, password=password, name=name, preferred_language=_clean_language(language)
            )
            person_find_or_create(email=email, name=name, user=user, language=user.preferred_language)
            transaction.on_commit(lambda: _send_confirmation(user.pk))
    except IntegrityError:  # the same form submitted twice at the same moment
        existing = User.objects.filter(email__iexact=email).first()
        if existing is None:
            raise
        return _signup_retry(existing, password)
    return user


def _signup_retry(existing: User, password: str) -> User:
    # check_password first, always: it costs what creating an account costs (one hash), so the time of
    # the answer does not tell either.
    if existing.check_password(password) and not existing.email_confirmed:
        return existing
    raise Conflict(_("An account with this email address already exists. Log in instead."), code="email_taken")


def signup_notice_send(*, email: str, ip: str | None) -> None:
    """Someone tried to sign up with the address of an existing account: tell its owner (in their language),
    after commit, at most EMAIL_RATE_LIMIT times per window so that the form cannot flood their inbox."""
    user = User.objects.filter(email__iexact=normalize_email(email), is_active=True).first()
    if user is not None and rate_limits.rate_take(kind=RateLimitEvent.Kind.SIGNUP_NOTICE, email=user.email, ip=ip):
        transaction.on_commit(lambda: _send_signup_notice(user.pk))


def _send_signup_notice(user_pk: int) -> None:
    from opencity.accounts import emails

    user = User.objects.filter(pk=user_pk, is_active=True).first()
    if user is not None:
        emails.send_signup_notice(user)


def _send_confirmation(user_pk: int) -> None:
    from opencity.accounts import emails

    user = User.objects.filter(pk=user_pk).first()
    if user is not None and not user.email_confirmed:
        emails.send_confirmation(user)


def confirmation_token_make(user: User) -> str:
    """A signed token naming the user and the email it confirms; it expires (EMAIL_CONFIRM_MAX_AGE)."""
    return signing.dumps({"u": user.pk, "e": user.email}, salt=CONFIRM_SALT, compress=True)


def confirmation_max_age() -> int:
    return int(knob("EMAIL_CONFIRM_MAX_AGE", 3 * 24 * 3600, int))


def confirmation_send(*, user: User) -> None:
    """Send (again) the confirmation email, after commit; nothing for an already confirmed account."""
    if not user.email_confirmed:
        transaction.on_commit(lambda: _send_confirmation(user.pk))


def user_confirm_email(*, token: str) -> tuple[User, bool]:
    """Confirm the email named by the token. Returns (user, newly_confirmed)."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=confirmation_max_age())
    except signing.SignatureExpired as exc:
        raise ValidationFailed(
            _("This confirmation link has expired. Log in to get a new one."), code="token_expired"
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationFailed(_("This confirmation link is not valid."), code="token_invalid") from exc
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=data.get("u"), is_active=True).first()
        if user is None or normalize_email(user.email) != normalize_email(data.get("e", "")):
            raise ValidationFailed(_("This confirmation link is not valid."), code="token_invalid")
        if user.email_confirmed:
            return user, False
        user.email_confirmed = True
        user.save(update_fields=["email_confirmed"])
    return user, True


def user_mark_email_confirmed(*, user: User) -> User:
    """A completed password reset proves the address too."""
    if not user.email_confirmed:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(email_confirmed=True)
        user.email_confirmed = True
    return user


# --- profile ----------------------------------------------------------------------------------


def user_update(*, user: User, name: str, preferred_language: str) -> User:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Please enter your name."), field="name")
    language = _clean_language(preferred_language)
    if preferred_language and not language:
        raise ValidationFailed(_("This language is not available."), field="preferred_language")
    with transaction.atomic():
        user.name = name[:200]
        user.preferred_language = language
        user.save(update_fields=["name", "preferred_language"])
        person = person_find_or_create(email=user.email, name=user.name, user=user)
        if person.user_id == user.pk and (person.name != user.name or person.language != language):
            person.name, person.language = user.name, language
            person.save(update_fields=["name", "language"])
    return user


def user_set_language(*, user: User, language: str) -> User:
    """Remember the language chosen with the switcher."""
    language = _clean_language(language)
    if not language:
        raise ValidationFailed(_("This language is not available."), field="language")
    if user.preferred_language != language:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(preferred_language=language)
        user.preferred_language = language
    return user


# --- API tokens -------------------------------------------------------------------------------


def api_token_create(*, user, name: str = "") -> str:
    """Create a personal API token and return it; only its hash is kept, so it is shown once."""
    raw = "oc_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.create(user=user, name=name.strip()[:100], prefix=raw[:10], digest=ApiToken.hash(raw))
    return raw


def api_token_create_once(*, user, name: str, request_key: str) -> str | None:
    """Like api_token_create for one form submission: None if this submission already created its token."""
    request_key = (request_key or "").strip()[:64]
    if not request_key:
        return api_token_create(user=user, name=name)
    raw = "oc_" + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            ApiToken.objects.create(
                user=user,
                name=name.strip()[:100],
                prefix=raw[:10],
                digest=ApiToken.hash(raw),
                request_key=request_key,
            )
    except IntegrityError:
        return None
    return raw


def api_tokens_revoke_all(*, user) -> int:
    """Revoke every live token of the user (a password reset: whoever had the password may hold one)."""
    with transaction.atomic():
        return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_revoke(*, user, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens; revoking twice changes nothing."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
        if token is None:
            raise NotFound(_("This token does not exist."))
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


# --- two-factor (TOTP) ------------------------------------------------------------------------


def totp_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def _totp_step(secret: str, code: str) -> int | None:
    """The time step (current one or one either side) whose code this is, or None."""
    code = (code or "").strip().replace(" ", "")
    if not (secret and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(time.time()) // totp.interval
    for step in (current, current - 1, current + 1)[: 2 * TOTP_WINDOW + 1]:
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _totp_matches(secret: str, code: str) -> bool:
    return _totp_step(secret, code) is not None


def totp_begin(*, user: User) -> User:
    """A fresh secret to scan; two-factor stays off until a code from it is confirmed."""
    if user.totp_enabled:
        raise Conflict(_("Two-factor authentication is already on."), code="totp_enabled")
    with transaction.atomic():
        user.totp_secret = pyotp.random_base32()
        user.save(update_fields=["totp_secret"])
    return user


def totp_enable(*, user: User, code: str) -> User:
    if user.totp_enabled:
        return user
    if not user.totp_secret:
        raise ValidationFailed(_("Start the set-up again."), code="totp_not_started")
    if not _totp_matches(user.totp_secret, code):
        raise ValidationFailed(_("This code is not valid. Check your device's clock and try again."), field="otp")
    with transaction.atomic():
        user.totp_enabled = True
        user.save(update_fields=["totp_enabled"])
    return user


def totp_disable(*, user: User, code: str) -> User:
    if not user.totp_enabled:
        return user
    if not _totp_matches(user.totp_secret, code):
        raise ValidationFailed(_("This code is not valid. Check your device's clock and try again."), field="otp")
    with transaction.atomic():
        user.totp_enabled = False
        user.totp_secret = ""
        user.totp_last_step = None
        user.save(update_fields=["totp_enabled", "totp_secret", "totp_last_step"])
        RecoveryCode.objects.filter(user=user).delete()
    return user


RECOVERY_CODE_COUNT = 10


def _recovery_code_new() -> str:
    raw = "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def recovery_codes_generate(*, user: User) -> list[str]:
    """Fresh recovery codes for a user with two-factor on; the old ones stop working. Returned once, stored
    hashed: the caller shows them and forgets them."""
    if not user.totp_enabled:
        raise Conflict(_("Turn on two-factor authentication first."), code="totp_disabled")
    codes = [_recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(RecoveryCode(user=user, digest=RecoveryCode.hash(c)) for c in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def recovery_code_use(*, user: User, code: str) -> bool:
    """Spend one recovery code; each works once (the update is the test-and-set)."""
    if not (user.totp_enabled and RecoveryCode.normalize(code)):
        return False
    with transaction.atomic():
        used = RecoveryCode.objects.filter(user=user, digest=RecoveryCode.hash(code), used_at__isnull=True).update(
            used_at=timezone.now()
        )
    return bool(used)


def second_factor_verify(*, user: User, code: str) -> bool:
    """A login or sudo code: a 6-digit TOTP code (each accepted once) or an unused recovery code."""
    compact = (code or "").strip().replace(" ", "")
    if compact.isdigit() and len(compact) == 6:
        return totp_verify(user=user, code=compact)
    return recovery_code_use(user=user, code=code)


def totp_verify(*, user: User, code: str) -> bool:
    """Check a login code of a user with two-factor on; each code logs in once (no replay)."""
    step = _totp_step(user.totp_secret, code) if user.totp_enabled else None
    if step is None:
        return False
    with transaction.atomic():
        won = (
            User.objects.filter(pk=user.pk, totp_enabled=True)
            .filter(Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step))
            .update(totp_last_step=step)
        )
    if won:
        user.totp_last_step = step
    return bool(won)
