from django.db.models import Count, Q, QuerySet

from opencity.hosting.models import (
    LANGUAGE_CHOICES,
    Category,
    Collective,
    CollectiveAdmin,
    CollectiveSlugHistory,
    Commune,
    Host,
    HostApplication,
    Invitation,
)


def hosts_for_home(per_host: int = 12) -> list[dict]:
    """Each host with a count of its active collectives and the most recently approved ones."""
    hosts = list(Host.objects.select_related("profile").order_by("created_at"))
    counts = dict(
        collective_directory().order_by().values("host_id").annotate(n=Count("pk")).values_list("host_id", "n")
    )
    out = []
    for host in hosts:
        collectives = list(collective_directory(host=host).order_by("-approved_at", "pk")[:per_host])
        out.append({"host": host, "collectives": collectives, "count": counts.get(host.pk, 0)})
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


def directory_filters(params) -> dict:
    """The four filters of the directory page and API, cleaned: unknown values are ignored."""
    out = {"q": (params.get("q") or "").strip()[:100]}
    allowed = {
        "category": dict(Category.choices),
        "commune": dict(Commune.choices),
        "language": dict(LANGUAGE_CHOICES),
    }
    for key, choices in allowed.items():
        value = (params.get(key) or "").strip()
        out[key] = value if value in choices else ""
    return out


def hosts_accepting_applications() -> list[Host]:
    return list(Host.objects.select_related("profile").filter(profile__isnull=False).order_by("created_at"))


def host_applications(host: Host, *, status: str | None = HostApplication.Status.PENDING) -> QuerySet[HostApplication]:
    qs = HostApplication.objects.filter(host=host).select_related("collective", "applied_by", "decided_by")
    if status:
        qs = qs.filter(status=status)
    return qs


def application_by_public_id(public_id: str) -> HostApplication | None:
    return (
        HostApplication.objects.select_related("collective", "host__profile", "applied_by")
        .filter(public_id=public_id)
        .first()
    )


def collective_admins(collective: Collective):
    return CollectiveAdmin.objects.filter(collective=collective).select_related("user").order_by("created_at", "pk")


def open_invitations(collective: Collective) -> QuerySet[Invitation]:
    return Invitation.objects.filter(collective=collective, accepted_at__isnull=True, revoked_at__isnull=True)


def invitation_by_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("collective__host__profile", "invited_by").filter(token=token).first()


def collective_by_slug(slug: str) -> Collective | None:
    return Collective.objects.select_related("host__profile").filter(slug__iexact=slug).first()


def host_by_slug(slug: str) -> Host | None:
    return Host.objects.select_related("profile").filter(profile__slug__iexact=slug).first()


def collective_by_previous_slug(slug: str) -> Collective | None:
    """The collective that had this address before (its old page redirects to its current one)."""
    row = CollectiveSlugHistory.objects.select_related("collective__host__profile").filter(slug__iexact=slug).first()
    return row.collective if row is not None else None


def hosts_admined_by(user) -> list[dict]:
    """The hosts a user administers, each with its count of applications waiting (for the header menu)."""
    if not (user and user.is_authenticated):
        return []
    hosts = (
        Host.objects.filter(hostadmin__user=user)
        .select_related("profile")
        .annotate(
            pending=Count("applications", filter=Q(applications__status=HostApplication.Status.PENDING), distinct=True)
        )
        .order_by("pk")
    )
    return [{"host": h, "pending": h.pending} for h in hosts]
