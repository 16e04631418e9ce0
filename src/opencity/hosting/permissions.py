"""Every permission question about hosts and collectives is answered here, and only here."""

from opencity.hosting.models import Collective, CollectiveAdmin, Host, HostAdmin


def _authed(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_host_admin(user, host: Host) -> bool:
    return _authed(user) and HostAdmin.objects.filter(host=host, user=user).exists()


def is_collective_admin(user, collective: Collective) -> bool:
    return _authed(user) and CollectiveAdmin.objects.filter(collective=collective, user=user).exists()


def can_review_applications(user, host: Host) -> bool:
    return is_host_admin(user, host)


def can_edit_collective(user, collective: Collective) -> bool:
    return is_collective_admin(user, collective) or is_host_admin(user, collective.host)


def can_create_collective(user) -> bool:
    """Signed in with a confirmed email address (so applications come from reachable people)."""
    return _authed(user) and bool(getattr(user, "email_confirmed", False))


def can_manage_host(user, host: Host) -> bool:
    """Host settings (legal, bank, fees, policies) and the host-admin pages."""
    return is_host_admin(user, host)


def can_manage_admins(user, collective: Collective) -> bool:
    """Invite and remove a collective's admins."""
    return can_edit_collective(user, collective)


def can_view_collective(user, collective: Collective) -> bool:
    """Active collectives are public; pending or rejected ones only to their admins and host admins."""
    return collective.is_active or can_edit_collective(user, collective)
