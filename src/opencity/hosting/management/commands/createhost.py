"""`opencity createhost`: add a host (a Ghent or Liège movement next to Brussels) to this installation."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from opencity.accounts.models import User
from opencity.community.services import person_find_or_create
from opencity.core.errors import DomainError
from opencity.hosting import services
from opencity.money import is_known_currency


class Command(BaseCommand):
    help = "Create a host with its public page and its first admin (created if the email has no account yet)."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True, help="address of the host's page, e.g. gentsamen")
        parser.add_argument("--legal-name", required=True, help="e.g. 'GentSamen VZW'")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--name", default="", help="public name (default: the legal name)")
        parser.add_argument("--iban", default="")
        parser.add_argument("--bic", default="")
        parser.add_argument("--enterprise-number", default="")
        parser.add_argument("--currency", default="EUR")
        parser.add_argument("--fee", default=None, help="default host fee in percent, e.g. 8 or 6.5")
        parser.add_argument("--languages", default="fr,nl,en", help="comma-separated, among en,fr,nl,ar")

    def handle(self, *args, **opts):
        currency = opts["currency"].strip().upper()
        if not is_known_currency(currency):
            raise CommandError(f"Unknown currency: {currency}")
        fee = None
        if opts["fee"] is not None:
            try:
                fee = Decimal(opts["fee"].replace(",", "."))
            except InvalidOperation:
                raise CommandError(f"--fee must be a number of percent, not {opts['fee']!r}") from None
            if not fee.is_finite() or not Decimal(0) <= fee <= Decimal(50):
                raise CommandError("--fee must be between 0 and 50 (percent)")
        email = opts["admin_email"].strip().lower()
        languages = [lang.strip() for lang in opts["languages"].split(",") if lang.strip()]
        try:
            with transaction.atomic():
                admin = User.objects.filter(email__iexact=email).first()
                created_admin = admin is None
                if created_admin:
                    admin = User.objects.create_user(email=email, password=None, email_confirmed=True)
                    person_find_or_create(email=email, user=admin)
                host = services.host_create(
                    legal_name=opts["legal_name"].strip(),
                    slug=opts["slug"],
                    name=opts["name"].strip(),
                    admin=admin,
                    currency=currency,
                    iban=opts["iban"],
                    bic=opts["bic"],
                    enterprise_number=opts["enterprise_number"],
                    default_host_fee_percent=fee,
                    languages=languages,
                )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(self.style.SUCCESS(f"Host “{host.name}” created: {settings.SITE_URL}/{host.slug}/"))
        self.stdout.write(f"Host admin pages: {settings.SITE_URL}/{host.slug}/admin/")
        if created_admin:
            link = _password_set_link(admin)
            if link:
                self.stdout.write(f"New account for {email}. Set its password here (link valid for a few days):")
                self.stdout.write(f"  {link}")
            else:
                self.stdout.write(f"New account for {email}: use “Forgot your password?” on the login page.")
        else:
            self.stdout.write(f"{email} already had an account and is now an admin of this host.")


def _password_set_link(user) -> str:
    try:
        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    except NoReverseMatch:
        return ""
    return f"{settings.SITE_URL}{path}"
