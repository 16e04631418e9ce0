"""Validators for host and collective fields; every message is translated."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from stdnum import exceptions as stdnum_exc
from stdnum.be import vat as be_vat

RESERVED_SLUGS = frozenset(
    """
    about accounts account admin api app assets auth collectives collective contribute contributions create dashboard
    docs en fr nl ar events expenses faq favicon favicon.ico help healthz home host hosts i18n invitations join login logout media memberships
    new pages people privacy search settings signup static stories support terms transactions volunteer webhooks www
    """.split()
)


def validate_iban(value: str) -> str:
    try:
        return IBAN(value, validate_bban=True).compact
    except Exception as exc:  # schwifty raises several subclasses of ValueError
        raise ValidationError(
            _("“%(value)s” is not a valid IBAN."), code="invalid_iban", params={"value": value}
        ) from exc


def validate_bic(value: str) -> str:
    try:
        return BIC(value).compact
    except Exception as exc:  # schwifty raises several subclasses of ValueError
        raise ValidationError(
            _("“%(value)s” is not a valid BIC."), code="invalid_bic", params={"value": value}
        ) from exc


def validate_enterprise_number(value: str) -> str:
    """A Belgian enterprise number (KBO/BCE), e.g. 0123.456.749 or BE0123456749."""
    try:
        return be_vat.validate(value)
    except stdnum_exc.ValidationError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid Belgian enterprise number."),
            code="invalid_enterprise_number",
            params={"value": value},
        ) from exc


def validate_slug_not_reserved(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(value)s” is a reserved word; please choose another address."),
            code="reserved_slug",
            params={"value": value},
        )
