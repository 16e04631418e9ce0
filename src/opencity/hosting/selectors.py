from django.db.models import Q, QuerySet

from opencity.hosting.models import Collective, Host


def hosts_for_home() -> list[dict]:
    hosts = Host.objects.select_related("profile").order_by("created_at")
    out = []
    for host in hosts:
        collectives = list(collective_directory(host=host)[:12])
        out.append({"host": host, "collectives": collectives})
    return out


def collective_directory(
    *, q: str = "", category: str = "", commune: str = "", language: str = "", host: Host | None = None
) -> QuerySet[Collective]:
    """Active collectives (not host profiles), filtered like the /collectives/ page and the API."""
    qs = Collective.objects.filter(status=Collective.Status.ACTIVE, hosted_as_host__isnull=True).select_related(
        "host__profile"
    )
    if host is not None:
        qs = qs.filter(host=host)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q) | Q(long_description__icontains=q))
    if category:
        qs = qs.filter(category=category)
    if commune:
        qs = qs.filter(commune=commune)
    if language:
        # JSON containment is not portable across SQLite and PostgreSQL; a quoted substring is.
        qs = qs.filter(languages__icontains=f'"{language}"')
    return qs


def collective_by_slug(slug: str) -> Collective | None:
    return Collective.objects.select_related("host__profile").filter(slug__iexact=slug).first()


def host_by_slug(slug: str) -> Host | None:
    return Host.objects.select_related("profile").filter(profile__slug__iexact=slug).first()
