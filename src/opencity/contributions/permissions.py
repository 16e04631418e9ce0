"""Every permission question about contributions, tiers and memberships."""

from opencity.hosting.permissions import is_collective_admin, is_host_admin


def _authed(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_manage_tiers(user, collective) -> bool:
    return is_collective_admin(user, collective) or is_host_admin(user, collective.host)


def is_owner(user, obj) -> bool:
    """The contributor of a contribution or membership (through the person linked to their login), once the
    email's owner is known to have given it (a guest's gift under their email is not theirs until confirmed)."""
    return _authed(user) and obj.identity_verified and obj.person.user_id == user.pk


def can_view_contribution(user, contribution) -> bool:
    return (
        is_owner(user, contribution)
        or is_collective_admin(user, contribution.collective)
        or is_host_admin(user, contribution.collective.host)
    )


def can_refund(user, contribution) -> bool:
    """Refunds move money back out of the host's clearing account: host admins only."""
    return is_host_admin(user, contribution.collective.host)


def can_cancel_recurring(user, recurring) -> bool:
    return (
        is_owner(user, recurring)
        or is_collective_admin(user, recurring.collective)
        or is_host_admin(user, recurring.collective.host)
    )
