"""Every permission question about events is answered here, and only here.

Collective admins (and the host's admins) manage events, see attendees and refund orders; the door
helpers an admin names for an event may check tickets in at its door, nothing else.
"""

from __future__ import annotations

from opencity.hosting.permissions import is_collective_admin, is_host_admin


def _authed(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_manage_events(user, collective) -> bool:
    return is_collective_admin(user, collective) or is_host_admin(user, collective.host)


def can_manage_event(user, event) -> bool:
    return can_manage_events(user, event.collective)


def can_check_in(user, event) -> bool:
    return _authed(user) and (can_manage_event(user, event) or event.helpers.filter(pk=user.pk).exists())


def can_view_attendees(user, event) -> bool:
    return can_manage_event(user, event)


def can_cancel_order(user, order) -> bool:
    """A free registration: cancelling it moves no money."""
    return can_manage_event(user, order.event)


def can_refund_order(user, order) -> bool:
    """A paid order: giving money back by hand needs a session that passed the second factor recently."""
    from opencity.accounts.permissions import has_2fa

    return can_manage_event(user, order.event) and has_2fa(user)
