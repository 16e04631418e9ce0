"""Community page filters over 100,000 people, timed beside a bare COUNT(*) over the same table, same run.

    python -m bench.community_filters [--people 100000]   (DATABASE_URL: PostgreSQL; default a fresh SQLite file)

Seeds one host with N people (languages, communes, skills, interests, interactions with 20 collectives,
about half consenting) by bulk inserts, then times each filter as the Community page runs it: the counts
and the first page of 50 rows with their tags.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time


def _setup() -> None:
    os.environ.setdefault("OPENCITY_DATA_DIR", tempfile.mkdtemp(prefix="opencity-bench-community-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "opencity.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _seed(n: int):
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    from opencity.accounts.models import User
    from opencity.community.models import Interaction, Member, Person, Tag
    from opencity.hosting import services as hosting
    from opencity.hosting.models import Collective, Commune

    rng = random.Random(100)
    admin = User.objects.create_user(email="bench@example.org", password="bench-password-1", email_confirmed=True)
    host = hosting.host_create(slug="bench-community", admin=admin, legal_name="Bench ASBL")
    collectives = [
        hosting.collective_create(user=admin, host=host, slug=f"bench-c{i}", name=f"C{i}") for i in range(20)
    ]
    Collective.objects.filter(pk__in=[c.pk for c in collectives]).update(status="active")
    tags = [
        Tag.objects.create(host=host, kind=k, name=f"{k}-{i}", curated=True)
        for k in ("skill", "interest")
        for i in range(15)
    ]
    communes = Commune.values
    now = timezone.now()
    step = 5000
    for start in range(0, n, step):
        people = Person.objects.bulk_create(
            [
                Person(
                    email=f"p{i}@bench.example", name=f"Person {i}", languages=rng.sample(["fr", "nl", "en", "ar"], 2),
                    commune=rng.choice(communes),
                )
                for i in range(start, min(n, start + step))
            ]
        )  # fmt: skip
        if not people[0].pk:
            people = list(Person.objects.filter(email__endswith="@bench.example").order_by("-pk")[: len(people)])
        members, links, interactions = [], [], []
        for p in people:
            first = now - dt.timedelta(days=rng.randint(0, 1000))
            members.append(
                Member(
                    host=host,
                    person=p,
                    first_seen=first,
                    last_seen=first + dt.timedelta(days=rng.randint(0, 200)),
                    consenting=rng.random() < 0.5,
                )
            )
            for t in rng.sample(tags, 3):
                links.append(Person.tags.through(person_id=p.pk, tag_id=t.pk))
            for j in range(2):
                c = rng.choice(collectives)
                interactions.append(
                    Interaction(
                        person=p,
                        host=host,
                        collective=c,
                        kind="registration",
                        source_ref=f"b{p.pk}:{j}",
                        event_ref=f"evt_{rng.randint(1, 200)}",
                        at=first,
                    )
                )
        Member.objects.bulk_create(members)
        Person.tags.through.objects.bulk_create(links)
        Interaction.objects.bulk_create(interactions)
        print(f"  seeded {min(n, start + step)}/{n}", file=sys.stderr, flush=True)
    return host, tags, collectives


def _time(fn, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.community_filters")
    parser.add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()
    _setup()
    from django.db import connection

    from opencity.community import selectors
    from opencity.community.models import Member
    from opencity.community.selectors import PeopleFilter

    print(f"Community filters over {args.people} people on {connection.vendor}", flush=True)
    host, tags, collectives = _seed(args.people)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    def bare_count():
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {Member._meta.db_table}")
            return cur.fetchone()[0]

    def page(f: PeopleFilter):
        def run():
            qs = selectors.members(host, f)
            selectors.member_counts(qs)
            selectors.members_page(qs)

        return run

    baseline = _time(bare_count)
    print(f"  {'bare COUNT(*) over community_member':<44} {baseline:8.2f} ms   ({bare_count()} rows)", flush=True)
    cases = {
        "no filter (counts + first page)": PeopleFilter(),
        "consenting": PeopleFilter(consent="yes"),
        "skill": PeopleFilter(skills=[tags[0].pk]),
        "language fr + commune": PeopleFilter(languages=["fr"], commune="ixelles"),
        "collective": PeopleFilter(collectives=[collectives[3].pk]),
        "event": PeopleFilter(events=["evt_42"]),
        "search 'Person 4242'": PeopleFilter(q="Person 4242"),
        "skill + interest + consenting + last seen": PeopleFilter(
            skills=[tags[1].pk], interests=[tags[20].pk], consent="yes",
            last_seen_from=__import__("datetime").date.today().replace(year=__import__("datetime").date.today().year - 1),
        ),
    }  # fmt: skip
    for label, f in cases.items():
        ms = _time(page(f))
        print(f"  {label:<44} {ms:8.1f} ms   ({ms / baseline:5.1f} × COUNT(*))", flush=True)


if __name__ == "__main__":
    main()
