"""Who may see or reach whom in the community database: every question is answered here."""

from opencity.hosting.permissions import is_collective_admin, is_host_admin


def can_view_community(user, host) -> bool:
    """A host's whole community: its host admins only."""
    return is_host_admin(user, host)


def can_view_collective_people(user, collective) -> bool:
    """The people who took part in one collective: its admins and its host's admins."""
    return is_collective_admin(user, collective) or is_host_admin(user, collective.host)


def can_mail(user, host, collective=None) -> bool:
    if collective is None:
        return is_host_admin(user, host)
    return collective.host_id == host.pk and can_view_collective_people(user, collective)


def can_manage_opportunity(user, opportunity) -> bool:
    if opportunity.collective_id is None:
        return is_host_admin(user, opportunity.host)
    return can_view_collective_people(user, opportunity.collective)


def can_post_opportunity(user, host, collective=None) -> bool:
    return can_mail(user, host, collective)


def can_write_stories(user, host) -> bool:
    """A confirmed "write a story" volunteer: one of the host's volunteer writers (the stories app decides)."""
    from opencity.stories.permissions import is_writer

    return is_writer(user, host)
