"""Volunteer opportunities and sign-ups: writes."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from opencity.community import tokens
from opencity.community.models import Opportunity, SignUp, Tag
from opencity.community.services import _clean_tags, consent_request, interaction_record, person_find_or_create
from opencity.core.errors import Conflict, ValidationFailed

STORY = "story"


@transaction.atomic
def opportunity_create(
    *,
    host,
    by,
    title: str,
    collective=None,
    description: str = "",
    date=None,
    place: str = "",
    commune: str = "",
    skills: list[str] = (),
    people_needed: int = 1,
    standing: str = "",
    link: str = "",
) -> Opportunity:
    title = " ".join((title or "").split())[:150]
    if not title:
        raise ValidationFailed(_("Give the opportunity a title."), code="invalid_title", field="title")
    if people_needed < 1:
        raise ValidationFailed(_("At least one person is needed."), code="invalid_people_needed", field="people_needed")
    if collective is not None and collective.host_id != host.pk:
        raise ValidationFailed(_("This collective is not hosted here."), code="invalid_collective")
    opportunity = Opportunity.objects.create(
        host=host,
        collective=collective,
        title=title,
        description=description.strip(),
        date=date,
        place=place.strip()[:200],
        commune=commune,
        people_needed=people_needed,
        standing=standing,
        link=link,
        created_by=by,
    )
    opportunity.skills.set(_clean_tags(host, Tag.Kind.SKILL, list(skills)))
    return opportunity


def story_opportunity_ensure(*, host) -> Opportunity:
    """The host's standing "write a story" opportunity (one per host; `hosting.services.host_create` calls
    this). Its page links to the stories writing flow, and confirming a signed-in volunteer makes them one
    of the host's volunteer writers."""
    existing = Opportunity.objects.filter(host=host, standing=STORY).first()
    if existing:
        return existing
    return opportunity_create(
        host=host,
        by=None,
        title="Write a story",
        standing=STORY,
        people_needed=20,
        description=(
            "Write about a great initiative of the city, in English, French, Dutch, Arabic or another language."
        ),
        skills=["Writing"],
    )


def signup_create(
    *,
    opportunity: Opportunity,
    name: str,
    email: str,
    message: str = "",
    user=None,
    language: str = "",
    keep_informed: bool = False,
    wording: str = "",
):
    """Sign up for an opportunity. A signed-in user is proven at once; a guest confirms by the emailed link.
    The same person twice gets the first sign-up back (a double submit changes nothing). `keep_informed`
    (the unticked box) asks for consent with `wording` as shown, confirmed by its own emailed link."""
    from opencity.community import emails

    if opportunity.status != Opportunity.Status.OPEN:
        raise Conflict(_("This opportunity is closed."), code="opportunity_closed")
    authed = user if user is not None and user.is_authenticated else None
    if authed is not None:
        email, name = authed.email, name or authed.name
    email = (email or "").strip().lower()
    name = " ".join((name or "").split())[:200]
    if not name:
        raise ValidationFailed(_("Enter your name."), code="invalid_name", field="name")
    if "@" not in email:
        raise ValidationFailed(_("Enter a valid email address."), code="invalid_email", field="email")
    try:
        with transaction.atomic():
            person = getattr(authed, "person", None) if authed else None
            person = person or person_find_or_create(email=email, new_name=name, user=authed, language=language)
            signup = SignUp.objects.filter(opportunity=opportunity, person=person).first()
            if signup is not None:
                return signup
            if keep_informed:
                consent_request(person=person, host=opportunity.host, wording=wording, language=language)
            signup = SignUp.objects.create(
                opportunity=opportunity,
                person=person,
                name=name,
                email=email,
                message=message.strip()[:2000],
                language=language[:8],
                email_verified=authed is not None,
            )
            if authed is not None:
                _record(signup)
            else:
                transaction.on_commit(lambda: emails.send_signup_confirmation(signup))
    except IntegrityError:  # the same person twice at once
        return SignUp.objects.get(opportunity=opportunity, person__email__iexact=email)
    return signup


def _record(signup: SignUp) -> None:
    o = signup.opportunity
    interaction_record(
        person=signup.person,
        host=o.host,
        collective=o.collective,
        kind="volunteer",
        source_ref=signup.public_id,
        at=signup.created_at,
    )


@transaction.atomic
def signup_confirm_email(*, token: str) -> SignUp:
    values = tokens.read(tokens.SIGNUP_SALT, token)
    signup = None
    if values and len(values) == 2:
        signup = (
            SignUp.objects.select_for_update()
            .select_related("opportunity", "person")
            .filter(public_id=values[0])
            .first()
        )
    if signup is None or signup.email.lower() != values[1]:
        raise ValidationFailed(_("This confirmation link is not valid."), code="invalid_link", field="token")
    if not signup.email_verified:
        signup.email_verified = True
        signup.save(update_fields=["email_verified"])
        _record(signup)
    return signup


@transaction.atomic
def signup_decide(*, signup: SignUp, status: str, by=None) -> SignUp:
    """Confirm or decline; the volunteer is told by email, in their language (once per change, and only at an
    address its owner confirmed). A confirmed "write a story" volunteer with a login becomes a writer."""
    from opencity.community import emails

    if status not in (SignUp.Status.CONFIRMED, SignUp.Status.DECLINED):
        raise ValidationFailed(_("Choose confirm or decline."), code="invalid_status")
    changed = SignUp.objects.filter(pk=signup.pk).exclude(status=status).update(status=status)
    signup.status = status
    if not changed:
        return signup
    o = signup.opportunity
    if status == SignUp.Status.CONFIRMED and o.standing == STORY and signup.email_verified and signup.person.user_id:
        from opencity.stories import services as stories

        stories.writer_invite(host=o.host, by=by, user=signup.person.user)
    if signup.email_verified:
        transaction.on_commit(lambda: emails.send_signup_decision(signup.pk))
    return signup


def signup_message(*, signup: SignUp, by, subject: str, body: str) -> int:
    """A collective admin writes to one volunteer (reply goes to the admin)."""
    from opencity.community import emails

    if not subject.strip() or not body.strip():
        raise ValidationFailed(_("Write a subject and a message."), code="invalid_message")
    o = signup.opportunity
    return (
        emails.send_to_person(
            person=signup.person, host=o.host, subject=subject.strip()[:200], body=body.strip(), reply_to=by.email
        )
        if signup.email_verified
        else 0
    )


def opportunity_suggest(*, opportunity: Opportunity, by) -> int:
    """Suggest an opportunity to the host's consenting people whose skills match: a mailing to them, each
    person once (whoever was told before or signed up already is left out). Returns how many are told."""
    from opencity.community.mailings import mailing_create
    from opencity.community.selectors import PeopleFilter

    skill_ids = list(opportunity.skills.values_list("pk", flat=True))
    if not skill_ids:
        raise ValidationFailed(_("Add the skills wanted first."), code="no_skills")
    from django.conf import settings
    from django.urls import reverse

    url = settings.SITE_URL + reverse("community:opportunity", args=[opportunity.public_id])
    body = f"{opportunity.title}\n\n{opportunity.description}\n\n{url}"
    mailing = mailing_create(
        host=opportunity.host,
        by=by,
        subject=opportunity.title,
        body=body,
        people=PeopleFilter(any_skills=skill_ids, consent="yes"),
        opportunity=opportunity,
    )
    return mailing.recipients_count
