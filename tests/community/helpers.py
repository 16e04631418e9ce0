"""Build community data through the real services."""

from django.core import mail

from opencity.community import services
from opencity.community.models import Consent


def consent(person, host) -> Consent:
    """Tick the box, then click the emailed link (double opt-in), as a person does."""
    c = services.consent_request(person=person, host=host, language="en")
    from opencity.community import tokens

    services.consent_confirm(token=tokens.make(tokens.CONSENT_SALT, c.pk, person.email.lower()))
    return c


def register(person, collective, event_ref: str):
    """An event registration (the events app calls this when it lands)."""
    return services.interaction_record(
        person=person,
        host=collective.host,
        collective=collective,
        kind="registration",
        source_ref=f"order:{event_ref}:{person.pk}",
        event_ref=event_ref,
    )


def last_link(prefix: str) -> str:
    for message in reversed(mail.outbox):
        for word in message.body.split():
            if prefix in word:
                return word[word.index("/", 8) :]
    raise AssertionError(f"no link containing {prefix}")
