"""Reads shared by the Community page, its CSV export, mailings and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from opencity.community.models import Interaction, Member, Person, Tag


@dataclass
class PeopleFilter:
    q: str = ""
    interests: list[int] = field(default_factory=list)
    skills: list[int] = field(default_factory=list)
    any_skills: list[int] = field(default_factory=list)  # at least one of them (suggesting an opportunity)
    languages: list[str] = field(default_factory=list)
    commune: str = ""
    collectives: list[int] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    first_seen_from: dt.date | None = None
    last_seen_from: dt.date | None = None
    last_seen_to: dt.date | None = None
    consent: str = ""  # "yes", "no" or "" (everyone)

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items() if v}

    @classmethod
    def from_dict(cls, data: dict) -> PeopleFilter:
        f = cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        for name in ("first_seen_from", "last_seen_from", "last_seen_to"):
            value = getattr(f, name)
            if isinstance(value, str):
                setattr(f, name, dt.date.fromisoformat(value))
        return f


def members(host, f: PeopleFilter | None = None, *, collective=None) -> QuerySet[Member]:
    """The host's members matching `f`; only people proven to have taken part in `collective` when given."""
    f = f or PeopleFilter()
    qs = Member.objects.filter(host=host, person__anonymised_at__isnull=True)
    if collective is not None:
        qs = qs.filter(Exists(Interaction.objects.filter(person=OuterRef("person_id"), collective=collective)))
    if f.consent == "yes":
        qs = qs.filter(consenting=True)
    elif f.consent == "no":
        qs = qs.filter(consenting=False)
    if f.q:
        qs = qs.filter(Q(person__name__icontains=f.q) | Q(person__email__icontains=f.q))
    tagged = Person.tags.through.objects
    for tag_id in [*f.interests, *f.skills]:
        qs = qs.filter(Exists(tagged.filter(person_id=OuterRef("person_id"), tag_id=tag_id)))
    if f.any_skills:
        qs = qs.filter(Exists(tagged.filter(person_id=OuterRef("person_id"), tag_id__in=f.any_skills)))
    for code in f.languages:
        qs = qs.filter(person__languages__icontains=f'"{code}"')
    if f.commune:
        qs = qs.filter(person__commune=f.commune)
    if f.collectives:
        qs = qs.filter(
            Exists(Interaction.objects.filter(person=OuterRef("person_id"), collective_id__in=f.collectives))
        )
    if f.events:
        qs = qs.filter(Exists(Interaction.objects.filter(person=OuterRef("person_id"), event_ref__in=f.events)))
    if f.first_seen_from:
        qs = qs.filter(first_seen__date__gte=f.first_seen_from)
    if f.last_seen_from:
        qs = qs.filter(last_seen__date__gte=f.last_seen_from)
    if f.last_seen_to:
        qs = qs.filter(last_seen__date__lte=f.last_seen_to)
    return qs


def members_page(qs: QuerySet[Member], *, offset: int = 0, limit: int = 50) -> list[Member]:
    """One page of members with their person and tags, in a fixed number of queries."""
    tags = Prefetch("person__tags", queryset=Tag.objects.order_by("kind", "name"))
    return list(
        qs.select_related("person").prefetch_related(tags).order_by("-last_seen", "-pk")[offset : offset + limit]
    )


def member_counts(qs: QuerySet[Member]) -> dict:
    return qs.aggregate(total=Count("pk"), consenting=Count("pk", filter=Q(consenting=True)))


def host_tags(host) -> list[Tag]:
    return list(Tag.objects.filter(host=host).order_by("kind", "-curated", "name"))


def person_by_public_id(public_id: str) -> Person | None:
    return Person.objects.filter(public_id=public_id, anonymised_at__isnull=True).first()


def person_data(person: Person) -> dict:
    """Everything we hold about a person, for their data page and its JSON download."""
    from opencity.community.models import AccessLog, Consent, SignUp
    from opencity.contributions.models import Contribution
    from opencity.events.models import Order

    interactions = Interaction.objects.filter(person=person).select_related("host__profile", "collective")
    contributions = Contribution.objects.filter(person=person, identity_verified=True).select_related("collective")
    return {
        "person": {
            "id": person.public_id,
            "name": person.name,
            "email": person.email,
            "language": person.language,
            "languages": person.languages,
            "commune": person.commune,
            "tags": [{"kind": t.kind, "name": t.name} for t in person.tags.all()],
            "created_at": person.created_at.isoformat(),
            "has_login": person.user_id is not None,
        },
        "interactions": [
            {
                "kind": i.kind,
                "host": i.host.name,
                "collective": i.collective.name if i.collective_id else None,
                "event": i.event_ref or None,
                "at": i.at.isoformat(),
            }
            for i in interactions.order_by("-at")
        ],
        "consents": [
            {
                "host": c.host.name,
                "wording": c.wording,
                "requested_at": c.requested_at.isoformat(),
                "confirmed_at": c.confirmed_at.isoformat() if c.confirmed_at else None,
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in Consent.objects.filter(person=person).select_related("host__profile").order_by("-requested_at")
        ],
        "contributions": [
            {
                "id": c.public_id,
                "collective": c.collective.name,
                "amount": {"value": c.amount, "currency": c.currency},
                "status": c.status,
                "created_at": c.created_at.isoformat(),
            }
            for c in contributions.order_by("-created_at")
        ],
        "tickets": [
            {
                "order": o.public_id,
                "event": o.event.title,
                "starts_at": o.event.starts_at.isoformat(),
                "status": o.status,
                "tickets": o.n_tickets,
                "created_at": o.created_at.isoformat(),
            }
            for o in Order.objects.filter(person=person)
            .select_related("event")
            .annotate(n_tickets=Count("tickets"))
            .order_by("-created_at")
        ],
        "volunteer_signups": [
            {"opportunity": s.opportunity.title, "status": s.status, "created_at": s.created_at.isoformat()}
            for s in SignUp.objects.filter(person=person, email_verified=True).select_related("opportunity")
        ],
        "access_log": [
            {
                "host": a.host.name,
                "by": (a.by.name or a.by.email) if a.by_id else None,
                "action": a.action,
                "reason": a.reason,
                "at": a.at.isoformat(),
            }
            for a in AccessLog.objects.filter(person=person).select_related("host__profile", "by").order_by("-at")[:500]
        ],
    }


def host_collectives(host):
    from opencity.hosting.models import Collective

    return list(Collective.objects.filter(host=host, status=Collective.Status.ACTIVE).order_by("name"))
