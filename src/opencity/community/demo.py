"""Demo: a few hundred people with interactions across collectives, mixed consent, languages, communes and
skills, and open volunteer opportunities (the host's "write a story" among them)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from opencity.community import services, volunteering
from opencity.community.models import Consent, Member
from opencity.hosting.models import Commune

FIRST = "Amina Bram Chloé Dries Elif Farid Greet Hanne Ilias Jade Karim Lotte Mehdi Nour Olga Pieter Rania Sven Yasmine Zoé".split()
LAST = "Peeters Janssens Benali Dubois El Amrani Maes Lambert Yilmaz Claes Martin Willems Haddad Jacobs Mertens".split()
INTERESTS = ["Food", "Mobility", "Culture", "Climate", "Neighbourhood", "Education", "Sport"]
SKILLS = ["Cooking", "Design", "Writing", "Translation", "Carpentry", "Accounting", "Photography", "First aid"]
LANGS = ["fr", "nl", "en", "ar"]


def seed(ctx: dict) -> None:
    rng = random.Random(13)
    host = ctx["host"]
    collectives = [c for c in ctx["collectives"] if c.is_active and not c.is_host_profile]
    admin = ctx["host_admin"]
    for name in INTERESTS:
        services.tag_curate(host=host, kind="interest", name=name)
    for name in SKILLS:
        services.tag_curate(host=host, kind="skill", name=name)
    communes = [c for c in Commune.values if c not in ("region", "elsewhere")]
    now = timezone.now()
    for i in range(300):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        person = services.person_find_or_create(
            email=f"{first.lower()}.{last.lower().replace(' ', '')}.{i}@demo.opencity.localhost",
            name=f"{first} {last}",
            language=rng.choice(LANGS),
        )
        services.person_update_profile(
            person=person, host=host, languages=rng.sample(LANGS, rng.randint(1, 3)), commune=rng.choice(communes),
            interests=rng.sample(INTERESTS, rng.randint(0, 3)), skills=rng.sample(SKILLS, rng.randint(0, 2)),
        )  # fmt: skip
        for n in range(rng.randint(1, 4)):
            collective = rng.choice(collectives)
            kind = rng.choice(["registration", "registration", "contribution", "volunteer"])
            services.interaction_record(
                person=person, host=host, collective=collective, kind=kind, source_ref=f"demo:{i}:{n}",
                event_ref=f"evt_demo{rng.randint(1, 12)}" if kind == "registration" else "",
                at=now - dt.timedelta(days=rng.randint(0, 700)),
            )  # fmt: skip
        if rng.random() < 0.55:  # consent given and confirmed by the link
            Consent.objects.create(
                person=person, host=host, wording=services.consent_wording(host), language=person.language,
                confirmed_at=now - dt.timedelta(days=rng.randint(0, 300)),
            )  # fmt: skip
            Member.objects.filter(host=host, person=person).update(consenting=True)
    volunteering.story_opportunity_ensure(host=host)
    needs = [
        ("Kitchen help for the Sunday soup", ["Cooking"], 4, 6),
        ("Build planters for the street", ["Carpentry"], 3, 12),
        ("Translate our leaflet into Arabic", ["Translation", "Writing"], 1, None),
        ("Photograph the neighbourhood party", ["Photography"], 2, 20),
        ("Keep our accounts with us", ["Accounting"], 1, None),
    ]
    for n, (title, skills, people, days) in enumerate(needs):
        collective = collectives[n % len(collectives)]
        volunteering.opportunity_create(
            host=host, collective=collective, by=admin, title=title, skills=skills, people_needed=people,
            date=(timezone.localdate() + dt.timedelta(days=days)) if days else None,
            description="", place=collective.name, commune=collective.commune or "",
        )  # fmt: skip
