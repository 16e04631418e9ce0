"""Background work: email a live story to its followers, once, in each follower's language."""

from django_tasks import task


@task()
def deliver_story(*, story_id: int) -> int:
    from opencity.stories.emails import deliver

    return deliver(story_id=story_id)


@task()
def deliver_due() -> int:
    """Periodic catch-up (`opencity stories_due`): stories whose time came while no deferred task ran."""
    from opencity.stories.emails import deliver
    from opencity.stories.services import stories_due

    return sum(deliver(story_id=pk) for pk in stories_due())
