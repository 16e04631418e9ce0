"""Every permission question about stories is answered here."""

from opencity.hosting import permissions as hosting_permissions
from opencity.stories.models import Story, StoryWriter


def _authed(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_writer(user, host) -> bool:
    return _authed(user) and StoryWriter.objects.filter(host=host, user=user).exists()


def can_write(user, collective) -> bool:
    """Collective admins, host admins and the host's volunteer writers write about an active collective."""
    if not collective.is_active:
        return False
    return hosting_permissions.can_edit_collective(user, collective) or is_writer(user, collective.host)


def needs_approval(user, collective) -> bool:
    """A volunteer's story waits for the collective's admin or a host admin."""
    return not hosting_permissions.can_edit_collective(user, collective)


def can_approve(user, story: Story) -> bool:
    return hosting_permissions.can_edit_collective(user, story.collective)


def can_edit(user, story: Story) -> bool:
    if hosting_permissions.can_edit_collective(user, story.collective):
        return True
    return (
        _authed(user)
        and story.author_id == user.pk
        and story.status in (Story.Status.DRAFT, Story.Status.REJECTED)
        and is_writer(user, story.collective.host)
    )


def can_invite_writers(user, host) -> bool:
    return hosting_permissions.is_host_admin(user, host)


def is_contributor(user, collective) -> bool:
    """Someone whose contribution to the collective was paid."""
    if not _authed(user):
        return False
    from opencity.contributions.models import Contribution

    return Contribution.objects.filter(
        collective=collective, person__user=user, status=Contribution.Status.PAID
    ).exists()


def can_read(user, story: Story) -> bool:
    """Live public stories are for everyone; contributors-only ones for contributors; the rest for editors."""
    if can_edit(user, story) or can_approve(user, story):
        return True
    if not story.is_live or not story.collective.is_active:
        return False
    if story.visibility == Story.Visibility.PUBLIC:
        return True
    return is_contributor(user, story.collective)


def can_follow(user) -> bool:
    return _authed(user)
