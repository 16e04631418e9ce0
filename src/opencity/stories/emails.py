"""The story email: rendered in the follower's language, with a one-click unsubscribe link."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from opencity.stories import selectors, services
from opencity.stories.models import LANGUAGES, Follow, Story, StoryDelivery, StoryPersonDelivery


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
    for person in services.consenting_readers(story):
        language = person.language[:2] if person.language[:2] in LANGUAGES else settings.LANGUAGE_CODE[:2]
        try:
            with transaction.atomic():
                StoryPersonDelivery.objects.create(story=story, person=person, language=language)
        except IntegrityError:
            continue
        sent += _send_to_person(story, person, language)
    return sent


def _send_to_person(story: Story, person, language: str) -> int:
    """The same story email, for a consenting person: its stop link withdraws the consent given to the host."""
    from opencity.community import tokens

    return _mail(
        story,
        language,
        to=person.email,
        unsubscribe_url=tokens.unsubscribe_url(person, story.collective.host),
        reason="consent",
    )


def _send(story: Story, follow: Follow) -> int:
    unsubscribe_url = settings.SITE_URL + reverse("stories:unsubscribe", args=[follow.token])
    return _mail(story, follow.language, to=follow.user.email, unsubscribe_url=unsubscribe_url, reason="follow")


def _mail(story: Story, language: str, *, to: str, unsubscribe_url: str, reason: str) -> int:
    version = selectors.version_for(story, language)
    with translation.override(language):
        story_url = settings.SITE_URL + reverse(
            "stories:story_version", args=[story.collective.slug, story.public_id, version.language]
        )
        body = render_to_string(
            "stories/email/story.txt",
            {
                "story": story,
                "version": version,
                "story_url": story_url,
                "unsubscribe_url": unsubscribe_url,
                "reason": reason,
            },
        )
        subject = f"{story.collective.name}: {version.title}"
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[to],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "Content-Language": language},
    )
    return message.send()
