""" "This was me": a guest's gift joins the email owner's history once they confirm it from their mailbox.

A gift given without signing in is the email's only after its owner follows the signed link in the receipt;
until then it counts for no one's history and does not enter the community database.
"""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from opencity.community import services as community
from opencity.contributions.errors import InvalidContribution
from opencity.contributions.models import Contribution, ContributionEvent, RecurringContribution

CONFIRM_SALT = "opencity.contribution.identity"


def identity_confirm_token(contribution: Contribution) -> str:
    """Signed (contribution, email): only the mailbox the receipt went to can confirm the gift."""
    return signing.dumps([contribution.public_id, contribution.person.email.lower()], salt=CONFIRM_SALT)


def identity_token_matches(contribution: Contribution, token: str) -> bool:
    try:
        public_id, email = signing.loads(token, salt=CONFIRM_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return False
    return public_id == contribution.public_id and email == contribution.person.email.lower()


@transaction.atomic
def contribution_confirm_identity(*, contribution: Contribution, token: str) -> Contribution:
    """The email's owner says "this was me": the gift (and its membership) joins their history. Twice is once."""
    c = Contribution.objects.select_for_update().select_related("person").get(pk=contribution.pk)
    if not identity_token_matches(c, token):
        raise InvalidContribution(_("This confirmation link is not valid."), code="invalid_confirmation", field="token")
    if c.identity_verified:
        return c
    c.identity_verified = True
    c.save(update_fields=["identity_verified"])
    ContributionEvent.objects.create(
        contribution=c, from_status=c.status, to_status=c.status, note="identity confirmed by the email's owner"
    )
    if c.recurring_id:
        RecurringContribution.objects.filter(pk=c.recurring_id).update(identity_verified=True)
    if c.contributor_name and not c.person.name:
        c.person.name = c.contributor_name
        c.person.save(update_fields=["name"])
    record_interaction(c)
    return c


def record_interaction(c: Contribution) -> None:
    """A proven gift (signed in, or confirmed by the email's owner) joins the community database."""
    community.interaction_record(
        person=c.person,
        host=c.collective.host,
        collective=c.collective,
        kind="contribution",
        source_ref=c.public_id,
        at=c.created_at,
    )
