import hashlib

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def normalize_email(email: str) -> str:
    """How an address is compared and stored: trimmed, lower case."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("email_confirmed", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who can log in. Their human side (name, consent, history) lives on `community.Person`."""

    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email_confirmed = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    preferred_language = models.CharField(max_length=8, blank=True)
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_enabled = models.BooleanField(default=False)
    # The last 30-second step whose code logged in: a code is accepted for login once (RFC 6238 §5.2).
    totp_last_step = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The settings form's one-time key: a double-submitted form creates one token, not two.
    request_key = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "request_key"], condition=~Q(request_key=""), name="apitoken_request_key_unique"
            )
        ]

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class RateLimitEvent(models.Model):
    """One counted event (a failed login, an email sent from a public form) with the email and IP address
    it was for. Counting rows in the database makes the limits hold across processes."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Failed login")
        CONFIRM_RESEND = "confirm_resend", _("Confirmation email sent again")
        PASSWORD_RESET = "password_reset", _("Password reset requested")
        SIGNUP = "signup", _("Sign-up")
        SIGNUP_NOTICE = "signup_notice", _("Sign-up attempt notice sent")
        SECOND_FACTOR = "second_factor", _("Wrong two-factor code")

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.LOGIN)
    email = models.CharField(max_length=254)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "email", "at"], name="ratelimit_kind_email_at"),
            models.Index(fields=["kind", "ip", "at"], name="ratelimit_kind_ip_at"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.email} {self.ip or ''}"


class RecoveryCode(models.Model):
    """A one-time code that stands in for the authenticator app. Only its SHA-256 is stored (the codes are
    random, 50 bits each), shown once when two-factor is turned on or the codes are renewed."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "digest"], name="recoverycode_user_digest_unique")]

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(RecoveryCode.normalize(raw).encode()).hexdigest()

    @staticmethod
    def normalize(raw: str) -> str:
        return "".join(ch for ch in (raw or "").lower() if ch.isalnum())

    def __str__(self) -> str:
        return f"recovery code of {self.user} ({'used' if self.used_at else 'unused'})"
