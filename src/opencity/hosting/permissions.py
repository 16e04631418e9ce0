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
    return _authed(user)


def can_view_collective(user, collective: Collective) -> bool:
    """Active collectives are public; pending or rejected ones only to their admins and host admins."""
    return collective.is_active or can_edit_collective(user, collective)
