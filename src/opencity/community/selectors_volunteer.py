"""Reads of volunteering: `/volunteer` and the admins' page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from opencity.community.models import Opportunity, SignUp, Tag


@dataclass
class OpportunityFilter:
    q: str = ""
    skill: str = ""
    commune: str = ""
    when: str = ""  # "dated", "ongoing" or ""
    host: str = ""

    @classmethod
    def from_query(cls, query) -> OpportunityFilter:
        when = query.get("when", "")
        return cls(
            q=query.get("q", "").strip()[:100],
            skill=query.get("skill", "").strip()[:60],
            commune=query.get("commune", "")[:30],
            when=when if when in ("dated", "ongoing") else "",
            host=query.get("host", "")[:50],
        )


def open_opportunities(f: OpportunityFilter, limit: int = 200) -> list[Opportunity]:
    today = timezone.localdate()
    qs = (
        Opportunity.objects.filter(status=Opportunity.Status.OPEN)
        .filter(Q(collective__isnull=True) | Q(collective__status="active"))
        .filter(Q(date__isnull=True) | Q(date__gte=today))
    )
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(description__icontains=f.q))
    if f.skill:
        qs = qs.filter(skills__name__iexact=f.skill)
    if f.commune:
        qs = qs.filter(commune=f.commune)
    if f.when == "dated":
        qs = qs.filter(date__isnull=False)
    elif f.when == "ongoing":
        qs = qs.filter(date__isnull=True)
    if f.host:
        qs = qs.filter(host__profile__slug=f.host)
    qs = qs.select_related("collective", "host__profile").prefetch_related("skills")
    qs = qs.annotate(taken=Count("signups", filter=Q(signups__status=SignUp.Status.CONFIRMED), distinct=True))
    # Dated calls soonest first, then ongoing ones, on SQLite (nulls first) as on PostgreSQL (nulls last).
    return list(qs.distinct().order_by(F("date").asc(nulls_last=True), "-created_at")[:limit])


def skill_names() -> list[str]:
    return sorted(
        set(Tag.objects.filter(kind=Tag.Kind.SKILL, opportunities__status="open").values_list("name", flat=True))
    )


def opportunity_by_public_id(public_id: str) -> Opportunity | None:
    return (
        Opportunity.objects.select_related("collective", "host__profile")
        .prefetch_related("skills")
        .filter(public_id=public_id)
        .first()
    )


def signup_by_public_id(public_id: str) -> SignUp | None:
    return (
        SignUp.objects.select_related("opportunity__host", "opportunity__collective", "person")
        .filter(public_id=public_id)
        .first()
    )


def managed_opportunities(host, collective) -> list[Opportunity]:
    signups = Prefetch("signups", queryset=SignUp.objects.order_by("-created_at"))
    qs = Opportunity.objects.filter(host=host, collective=collective).prefetch_related("skills", signups)
    return list(qs.order_by("-created_at"))
