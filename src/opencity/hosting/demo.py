"""Demo host BrusselsTogether, ten Brussels initiatives, their admins and a handful of people."""

from opencity.accounts.models import User
from opencity.community.services import person_find_or_create
from opencity.hosting import services, team
from opencity.hosting.models import HostApplication

DEMO_PASSWORD = "opencity-demo-2026"

COLLECTIVES = [
    (
        "Repair Café Ixelles",
        "repair-cafe-ixelles",
        "Volunteers fix your toaster, bike and jeans every first Saturday.",
        "environment",
        "ixelles",
        ["fr", "nl", "en"],
    ),
    (
        "Potager Collectif de Forest",
        "potager-forest",
        "A shared vegetable garden behind the Abbaye de Forest.",
        "food",
        "forest",
        ["fr", "nl"],
    ),
    (
        "Schaerbeek Bike Kitchen",
        "bike-kitchen-schaerbeek",
        "Learn to repair your bike with tools and help for free.",
        "mobility",
        "schaerbeek",
        ["fr", "en", "ar"],
    ),
    (
        "Molenbeek Huiswerkklas",
        "huiswerkklas-molenbeek",
        "Homework support for children after school, four days a week.",
        "education",
        "molenbeek",
        ["nl", "fr", "ar"],
    ),
    (
        "Zinneke Parade Workshop Anderlecht",
        "zinneke-anderlecht",
        "Neighbours build costumes and floats for the Zinneke Parade.",
        "culture",
        "anderlecht",
        ["fr", "nl"],
    ),
    (
        "Frigo Solidaire Saint-Gilles",
        "frigo-saint-gilles",
        "A community fridge: leave what you can, take what you need.",
        "solidarity",
        "saint-gilles",
        ["fr", "ar", "en"],
    ),
    (
        "Rue Piétonne Dansaert",
        "rue-pietonne-dansaert",
        "Citizens campaigning for a car-free, greener rue Dansaert.",
        "citizenship",
        "bruxelles",
        ["fr", "nl", "en"],
    ),
    (
        "Voetbal voor Iedereen Jette",
        "voetbal-jette",
        "Free football training on Sunday mornings for kids of all backgrounds.",
        "sport",
        "jette",
        ["nl", "fr"],
    ),
    (
        "Buurtfeest Etterbeek",
        "buurtfeest-etterbeek",
        "The yearly street party of the Jourdan neighbourhood.",
        "neighbourhood",
        "etterbeek",
        ["fr", "nl", "en"],
    ),
    (
        "Bibliothèque de Rue Laeken",
        "bibliotheque-rue-laeken",
        "Book boxes and storytelling in the parks of Laeken.",
        "culture",
        "bruxelles",
        ["fr", "ar"],
    ),
]

PEOPLE = [
    ("Amina El Idrissi", "amina@example.org"),
    ("Pieter Janssens", "pieter@example.org"),
    ("Sophie Dubois", "sophie@example.org"),
    ("Youssef Benali", "youssef@example.org"),
    ("Lotte Peeters", "lotte@example.org"),
    ("Camille Lambert", "camille@example.org"),
]


def _user(email: str, name: str, **extra) -> User:
    user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name, email_confirmed=True, **extra)
    person_find_or_create(email=email, name=name, user=user)
    return user


def seed(ctx: dict) -> None:
    admin = _user("admin@brusselstogether.example", "Nadia Verhaegen (BrusselsTogether)")
    staff = _user("staff@opencity.example", "OpenCity Support", is_staff=True, is_superuser=True)
    host = services.host_create(
        legal_name="BrusselsTogether ASBL/VZW",
        slug="brusselstogether",
        name="BrusselsTogether",
        admin=admin,
        enterprise_number="0403.170.701",
        iban="BE68539007547034",
        bic="GKCCBEBB",
        default_host_fee_percent=8,
        languages=["fr", "nl", "en", "ar"],
        description="The city's open collective: we hold the money of citizen initiatives so they can focus on acting.",
        address="Rue de la Loi 1, 1000 Bruxelles",
    )
    host.expense_two_approvals_above = 100000
    host.save(update_fields=["expense_two_approvals_above"])
    ctx.update(host=host, host_admin=admin, collectives=[], collective_admins={}, people=[])
    ctx["logins"] += [("host admin", admin.email, DEMO_PASSWORD), ("staff (Django admin)", staff.email, DEMO_PASSWORD)]
    for i, (name, slug, description, category, commune, languages) in enumerate(COLLECTIVES):
        organiser = _user(f"{slug}@example.org", f"Organiser of {name}")
        collective = services.collective_create(
            user=organiser,
            host=host,
            name=name,
            slug=slug,
            description=description,
            category=category,
            commune=commune,
            languages=languages,
            message=f"We are {name}; we would love BrusselsTogether to host us.",
        )
        application = collective.applications.get()
        if i < len(COLLECTIVES) - 1:
            services.application_approve(application=application, by=admin)
        collective.refresh_from_db()
        ctx["collectives"].append(collective)
        ctx["collective_admins"][collective.slug] = organiser
        if i == 0:
            ctx["logins"].append((f"admin of {slug}", organiser.email, DEMO_PASSWORD))
    assert HostApplication.objects.filter(status="pending").count() == 1  # one left for the admin to review
    _describe(ctx["collectives"], ctx["collective_admins"])
    _second_admin(ctx["collectives"][0], ctx["collective_admins"])
    for name, email in PEOPLE:
        ctx["people"].append(person_find_or_create(email=email, name=name))
    member = _user("member@example.org", "Lucas Martin")
    ctx["member"] = member
    ctx["logins"].append(("citizen", member.email, DEMO_PASSWORD))
    _second_host(ctx)


ABOUT = {
    "repair-cafe-ixelles": (
        "## What we do\n\nEvery first Saturday of the month, from 10:00 to 16:00, volunteer fixers repair "
        "toasters, lamps, bikes and clothes **with you**, for free.\n\n"
        "- Bring the broken thing and its charger\n- Coffee and cake by donation\n- Nothing is thrown away "
        "without trying\n\n## Where the money goes\n\nTools, spare parts, insurance and the room rent. "
        "Every euro is on this page."
    ),
    "frigo-saint-gilles": (
        "A fridge on the pavement of the Parvis, cleaned every day by a team of twenty neighbours.\n\n"
        "Shops give their unsold food; anyone takes what they need, **no questions asked**."
    ),
    "huiswerkklas-molenbeek": (
        "Vrijwilligers helpen kinderen van 8 tot 14 jaar met hun huiswerk, van maandag tot donderdag, "
        "16:00–18:00.\n\nL’aide aux devoirs est gratuite ; nous demandons seulement aux parents de passer "
        "dire bonjour."
    ),
}
WEBSITES = {"zinneke-anderlecht": "https://www.zinneke.org/", "voetbal-jette": "https://voetbal-jette.example.org/"}


def _describe(collectives, admins) -> None:
    """Long descriptions and websites, written by each collective's own admin."""
    for collective in collectives:
        changes = {}
        if collective.slug in ABOUT:
            changes["long_description"] = ABOUT[collective.slug]
        if collective.slug in WEBSITES:
            changes["website"] = WEBSITES[collective.slug]
        if changes:
            services.collective_update(collective=collective, by=admins[collective.slug], **changes)


def _second_admin(collective, admins) -> None:
    """The Repair Café has two organisers (the second joined through an invitation) and one open invitation."""
    organiser = admins[collective.slug]
    invitation = team.invitation_create(collective=collective, by=organiser, email="samira@example.org")
    samira = _user("samira@example.org", "Samira Haddad")
    team.invitation_accept(token=invitation.token, user=samira)
    team.invitation_create(collective=collective, by=organiser, email="jonas@example.org")


def _second_host(ctx: dict) -> None:
    """A second movement in the same installation: GentSamen, with its own admin and collectives."""
    admin = _user("admin@gentsamen.example", "Griet De Smet (GentSamen)")
    gent = services.host_create(
        legal_name="GentSamen VZW",
        slug="gentsamen",
        name="GentSamen",
        admin=admin,
        iban="BE71096123456769",
        default_host_fee_percent=6,
        languages=["nl", "en"],
        description="Burgerinitiatieven in Gent: wij beheren hun geld, zij veranderen de stad.",
    )
    for name, slug, description, category, languages in [
        (
            "Buurtmoestuin Muide",
            "buurtmoestuin-muide",
            "A shared vegetable garden in the Muide docks.",
            "food",
            ["nl", "en"],
        ),
        (
            "Fietsbieb Gent",
            "fietsbieb-gent",
            "A library of children's bikes that grow with your kids.",
            "mobility",
            ["nl"],
        ),
    ]:
        organiser = _user(f"{slug}@example.org", f"Organiser of {name}")
        collective = services.collective_create(
            user=organiser,
            host=gent,
            name=name,
            slug=slug,
            description=description,
            category=category,
            commune="elsewhere",
            languages=languages,
            message="Graag!",
        )
        services.application_approve(application=collective.applications.get(), by=admin)
    ctx["logins"].append(("host admin (second host)", admin.email, DEMO_PASSWORD))
