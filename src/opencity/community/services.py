"""Writes to the community database: people, proven interactions, consent. Erasure lives in erasure.py."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from opencity.community import tokens
from opencity.community.models import Consent, Interaction, Member, Person, Tag
from opencity.core.errors import ValidationFailed


def person_find_or_create(
    *, email: str, name: str = "", user=None, language: str = "", new_name: str | None = None
) -> Person:
    """The one Person for this email (case-insensitive); created on first sight, name filled if missing.

    `name` may fill an existing person's missing name: pass it only when the email is proven (a signed-in
    user, a confirmed link). `new_name` names a person created now and never touches an existing one (a
    guest's typed name: an email in a form proves nothing)."""
    email = email.strip().lower()
    person = Person.objects.filter(email__iexact=email).first()
    if person is None:
        first_name = (name or new_name or "").strip()
        try:
            with transaction.atomic():
                person = Person.objects.create(email=email, name=first_name, user=user, language=language)
        except IntegrityError:  # created by a concurrent request
            person = Person.objects.get(email__iexact=email)
    changed = []
    if name and not person.name:
        person.name = name.strip()
        changed.append("name")
    if user is not None and person.user_id is None:
        person.user = user
        changed.append("user")
    if changed:
        person.save(update_fields=changed)
    return person


def _member_touch(*, person: Person, host, at, consenting: bool | None = None) -> None:
    member, created = Member.objects.get_or_create(
        host=host, person=person, defaults={"first_seen": at, "last_seen": at, "consenting": bool(consenting)}
    )
    if not created:
        updates = {"first_seen": Least(F("first_seen"), at), "last_seen": Greatest(F("last_seen"), at)}
        if consenting is not None:
            updates["consenting"] = consenting
        Member.objects.filter(pk=member.pk).update(**updates)


def interaction_record(
    *, person: Person, host, kind: str, source_ref: str, collective=None, event_ref: str = "", at=None
) -> Interaction:
    """Record one proven interaction (idempotent per source) and keep the host's member row current."""
    at = at or timezone.now()
    with transaction.atomic():
        interaction, created = Interaction.objects.get_or_create(
            person=person,
            kind=kind,
            source_ref=source_ref,
            defaults={"host": host, "collective": collective, "event_ref": event_ref, "at": at},
        )
        if created:
            _member_touch(person=person, host=host, at=at)
    return interaction


def consent_wording(host) -> str:
    """The sentence beside the unticked box, in the active language; stored as shown when ticked."""
    return _("Keep me informed about citizen initiatives in the city by %(host)s.") % {"host": host.name}


def consent_request(*, person: Person, host, wording: str = "", language: str = "") -> Consent:
    """The box was ticked: store the wording and send a confirmation link to the address (double opt-in).
    Nothing changes for mailings until the link is clicked."""
    from opencity.community import emails

    with transaction.atomic():
        consent = Consent.objects.create(
            person=person, host=host, wording=wording or consent_wording(host), language=language[:8]
        )
        transaction.on_commit(lambda: emails.send_consent_confirmation(consent.pk))
    return consent


@transaction.atomic
def consent_confirm(*, token: str) -> Consent:
    values = tokens.read(tokens.CONSENT_SALT, token, max_age=tokens.CONSENT_MAX_AGE)
    consent = None
    if values and len(values) == 2:
        consent = Consent.objects.select_for_update().select_related("person", "host").filter(pk=values[0]).first()
    if consent is None or consent.person.email.lower() != values[1] or consent.person.anonymised_at:
        raise ValidationFailed(_("This confirmation link is not valid."), code="invalid_link", field="token")
    if consent.confirmed_at is None:
        now = timezone.now()
        consent.confirmed_at = now
        consent.save(update_fields=["confirmed_at"])
        interaction_record(
            person=consent.person, host=consent.host, kind="newsletter", source_ref=f"consent:{consent.pk}", at=now
        )
        _member_touch(person=consent.person, host=consent.host, at=now, consenting=True)
    return consent


@transaction.atomic
def consent_withdraw(*, person: Person, host=None) -> int:
    """Withdraw consent for one host (or all): future mailings skip the person. Returns how many were active."""
    now = timezone.now()
    active = Consent.objects.filter(person=person, confirmed_at__isnull=False, withdrawn_at__isnull=True)
    members = Member.objects.filter(person=person)
    if host is not None:
        active, members = active.filter(host=host), members.filter(host=host)
    count = active.update(withdrawn_at=now)
    members.update(consenting=False)
    return count


def _clean_tags(host, kind: str, names: list[str]) -> list[Tag]:
    result = []
    for raw in names:
        name = " ".join(str(raw).split())[:60]
        if not name:
            continue
        tag = Tag.objects.filter(host=host, kind=kind, name__iexact=name).first()
        if tag is None:
            tag = Tag.objects.create(host=host, kind=kind, name=name)
        result.append(tag)
    return result


@transaction.atomic
def person_update_profile(
    *, person: Person, host, languages: list[str], commune: str, interests: list[str], skills: list[str]
) -> Person:
    """What a person says about themselves: languages, commune, interests and skills (picked or typed)."""
    from opencity.hosting.models import LANGUAGE_CHOICES, Commune

    known = {code for code, _label in LANGUAGE_CHOICES}
    person.languages = sorted({code for code in languages if code in known})
    if commune and commune not in Commune.values:
        raise ValidationFailed(_("Choose a commune from the list."), code="invalid_commune", field="commune")
    person.commune = commune
    person.save(update_fields=["languages", "commune"])
    keep = person.tags.exclude(host=host)
    person.tags.set(
        list(keep) + _clean_tags(host, Tag.Kind.INTEREST, interests) + _clean_tags(host, Tag.Kind.SKILL, skills)
    )
    return person


def tag_curate(*, host, kind: str, name: str) -> Tag:
    if kind not in Tag.Kind.values:
        raise ValidationFailed(_("Choose interest or skill."), code="invalid_kind", field="kind")
    tag = _clean_tags(host, kind, [name])
    if not tag:
        raise ValidationFailed(_("Enter a name."), code="invalid_name", field="name")
    Tag.objects.filter(pk=tag[0].pk).update(curated=True)
    return tag[0]
