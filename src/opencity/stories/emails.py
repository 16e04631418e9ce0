"""The story email: rendered in the follower's language, with a one-click unsubscribe link."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from opencity.stories import selectors, services
from opencity.stories.models import Follow, Story, StoryDelivery


def deliver(*, story_id: int) -> int:
    """Send the story to each follower who may read it. Returns how many emails this call sent."""
    if not services.story_claim_delivery(story_id=story_id):
        return 0  # not live yet, or another worker has it
    story = Story.objects.select_related("collective").prefetch_related("versions").get(pk=story_id)
    follows = Follow.objects.filter(services.recipients_q(story)).select_related("user").distinct()
    sent = 0
    for f in follows:
        try:
            with transaction.atomic():
                StoryDelivery.objects.create(story=story, user=f.user, language=f.language)
        except IntegrityError:
            continue  # already sent to this person
        sent += _send(story, f)
    return sent


def _send(story: Story, follow: Follow) -> int:
    version = selectors.version_for(story, follow.language)
    with translation.override(follow.language):
        story_url = settings.SITE_URL + reverse(
            "stories:story_version", args=[story.collective.slug, story.public_id, version.language]
        )
        unsubscribe_url = settings.SITE_URL + reverse("stories:unsubscribe", args=[follow.token])
        body = render_to_string(
            "stories/email/story.txt",
            {"story": story, "version": version, "story_url": story_url, "unsubscribe_url": unsubscribe_url},
        )
        subject = f"{story.collective.name}: {version.title}"
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[follow.user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "Content-Language": follow.language},
    )
    return message.send()
