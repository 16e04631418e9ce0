"""Demo stories: several languages, one scheduled, one by a volunteer writer waiting for approval."""

import datetime as dt

from django.utils import timezone

from opencity.stories import services

STORIES = [
    (
        "repair-cafe-ixelles",
        "milestone",
        {
            "nl": ("Duizend herstellingen!", "Sinds de start hebben onze vrijwilligers **1000 toestellen** gered."),
            "fr": ("Mille réparations !", "Depuis le début, nos bénévoles ont sauvé **1000 appareils**."),
            "en": ("A thousand repairs!", "Since we started, our volunteers saved **1000 appliances**."),
        },
    ),
    (
        "frigo-saint-gilles",
        "call",
        {
            "fr": ("On cherche des bras pour l’été", "Le frigo a besoin de bénévoles pour les tournées de juillet."),
            "ar": ("نبحث عن متطوعين لفصل الصيف", "تحتاج الثلاجة إلى متطوعين لجولات شهر يوليو."),
        },
    ),
    (
        "huiswerkklas-molenbeek",
        "news",
        {"nl": ("Nieuwe lokalen", "Vanaf september werken we in de bibliotheek van de Graaf van Vlaanderenstraat.")},
    ),
]


def seed(ctx: dict) -> None:
    from opencity.hosting.demo import DEMO_PASSWORD, _user

    by_slug = {c.slug: c for c in ctx["collectives"] if c.is_active}
    for slug, theme, versions in STORIES:
        collective = by_slug.get(slug)
        if collective is None:
            continue
        admin = ctx["collective_admins"][slug]
        (first_lang, (title, body)), *rest = versions.items()
        story = services.story_create(
            collective=collective, by=admin, language=first_lang, title=title, body=body, theme=theme
        )
        for lang, (t, b) in rest:
            services.story_set_version(story=story, by=admin, language=lang, title=t, body=b)
        services.story_publish(story=story, by=admin)
    if "member" in ctx and "repair-cafe-ixelles" in by_slug:
        services.follow(collective=by_slug["repair-cafe-ixelles"], user=ctx["member"], language="nl")
    first = next(iter(by_slug.values()), None)
    if first is None:
        return
    writer = _user("writer@example.org", "Inès Volunteer Writer")
    services.writer_invite(host=ctx["host"], by=ctx["host_admin"], user=writer)
    pending = services.story_create(
        collective=first,
        by=writer,
        language="fr",
        title="Un samedi au Repair Café",
        body="J’ai passé la journée avec les réparateurs : voici ce que j’ai vu.",
    )
    services.story_publish(story=pending, by=writer)  # waits for the collective's admin
    admin = ctx["collective_admins"][first.slug]
    later = services.story_create(collective=first, by=admin, language="en", title="Coming soon", body="Stay tuned.")
    services.story_publish(story=later, by=admin, at=timezone.now() + dt.timedelta(days=3))
    ctx["logins"].append(("volunteer writer", writer.email, DEMO_PASSWORD))
