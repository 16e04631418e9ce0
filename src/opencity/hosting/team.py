"""Writes about a collective's team: invitations by email, accepting them, removing admins."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencity.accounts.conf import knob
from opencity.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from opencity.hosting import permissions
from opencity.hosting.models import Collective, CollectiveAdmin, Invitation


def invitation_max_age() -> timedelta:
    return timedelta(days=int(knob("INVITATION_MAX_AGE_DAYS", 14, int)))


def invitation_is_expired(invitation: Invitation) -> bool:
    return invitation.created_at < timezone.now() - invitation_max_age()


def invitation_is_for(invitation: Invitation, user) -> bool:
    """Only the person at the invited address may accept (the email is the proof that the link was theirs)."""
    return bool(user and user.is_authenticated) and user.email.strip().lower() == invitation.email.strip().lower()


@transaction.atomic
def invitation_create(*, collective: Collective, by, email: str) -> Invitation:
    """Invite someone by email to co-administer a collective. Inviting the same address twice while the
    first invitation is open returns that invitation and sends nothing new."""
    if not permissions.can_manage_admins(by, collective):
        raise PermissionDenied()
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationFailed(_("Please enter a valid email address."), code="invalid_email", field="email") from exc
    if collective.admins.filter(email__iexact=email).exists():
        raise Conflict(_("%(email)s is already an admin.") % {"email": email}, code="already_admin")
    existing = (
        Invitation.objects.select_for_update()
        .filter(collective=collective, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if existing is not None and not invitation_is_expired(existing):
        return existing
    if existing is not None:  # an expired invitation gives way to a fresh one
        existing.revoked_at = timezone.now()
        existing.save(update_fields=["revoked_at"])
    invitation = Invitation.objects.create(
        collective=collective, email=email, token=secrets.token_urlsafe(32), invited_by=by
    )
    from opencity.hosting import notifications

    transaction.on_commit(lambda: notifications.send_invitation(invitation))
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user) -> Invitation:
    """The invited person, logged in with the invited email address, becomes an admin. A token works once
    and only for INVITATION_MAX_AGE_DAYS days (14 by default)."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Please log in to accept this invitation."), code="login_required")
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("collective").filter(token=token).first()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise NotFound(_("This invitation does not exist or was withdrawn."), code="invitation_not_found")
    if invitation.accepted_at is not None:
        if invitation.accepted_by_id == user.pk:
            return invitation  # the same person clicking twice
        raise Conflict(_("This invitation has already been used."), code="invitation_used")
    if invitation_is_expired(invitation):
        raise Conflict(
            _("This invitation has expired. Ask an admin of the collective to invite you again."),
            code="invitation_expired",
        )
    if not invitation_is_for(invitation, user):
        raise PermissionDenied(
            _(
                "This invitation was sent to another email address. Log in with the address that received it "
                "to accept it."
            ),
            code="invitation_wrong_account",
        )
    CollectiveAdmin.objects.get_or_create(collective=invitation.collective, user=user)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> Invitation:
    if not permissions.can_manage_admins(by, invitation.collective):
        raise PermissionDenied()
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def collective_remove_admin(*, collective: Collective, by, user) -> None:
    """Remove an admin. A collective always keeps at least one; the lock makes two removals at once safe."""
    if not permissions.can_manage_admins(by, collective):
        raise PermissionDenied()
    Collective.objects.select_for_update().get(pk=collective.pk)
    admins = list(CollectiveAdmin.objects.filter(collective=collective).values_list("user_id", flat=True))
    if user.pk not in admins:
        raise NotFound(_("This person is not an admin of this collective."), code="not_an_admin")
    if len(admins) <= 1:
        raise Conflict(
            _("A collective needs at least one admin: invite someone else before leaving."), code="last_admin"
        )
    CollectiveAdmin.objects.filter(collective=collective, user=user).delete()
