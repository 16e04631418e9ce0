"""Every permission question about moving or reading the host's books."""

from opencity.hosting import permissions as hosting


def can_manage_ledger(user, host) -> bool:
    """Record added funds, reverse them, see the host's books and export them for the accountant."""
    return hosting.is_host_admin(user, host)


def can_give(user, collective) -> bool:
    """Move money from `collective` to another collective of the same host."""
    return hosting.is_collective_admin(user, collective)
