"""Public hosting pages: the directory, a collective's or host's page, creating a collective, invitations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from opencity.core.errors import DomainError
from opencity.hosting import permissions, selectors, services, slugs, team
from opencity.hosting.forms import CollectiveCreateForm, add_domain_error
from opencity.hosting.models import LANGUAGE_CHOICES, Category, Commune

PAGE_SIZE = 24


def directory(request):
    filters = selectors.directory_filters(request.GET)
    page = Paginator(selectors.collective_directory(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "hosting/directory.html",
        {
            "page": page,
            "filters": filters,
            "filtered": any(filters.values()),
            "categories": Category.choices,
            "communes": Commune.choices,
            "languages": LANGUAGE_CHOICES,
        },
    )


def profile(request, slug: str):
    collective = selectors.collective_by_slug(slug)
    if collective is None:
        moved = selectors.collective_by_previous_slug(slug)
        if moved is not None and permissions.can_view_collective(request.user, moved):
            return redirect("profile", moved.slug, permanent=True)
    if collective is None or not permissions.can_view_collective(request.user, collective):
        raise Http404
    if collective.slug != slug:
        return redirect("profile", collective.slug)
    host = collective.host
    context = {
        "collective": collective,
        "host": host,
        "can_edit": permissions.can_edit_collective(request.user, collective),
        "is_host_admin": permissions.is_host_admin(request.user, host),
    }
    if collective.is_host_profile:
        context["hosted"] = selectors.collective_directory(host=host)
        template = "hosting/host_profile.html"
    else:
        template = "hosting/profile.html"
        if not collective.is_active:
            context["application"] = collective.applications.order_by("-created_at").first()
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def collective_create(request):
    hosts = selectors.hosts_accepting_applications()
    if not hosts:
        messages.error(request, _("No host accepts applications yet."))
        return redirect("home")
    can_create = permissions.can_create_collective(request.user)
    form = CollectiveCreateForm(request.POST or None, hosts=hosts, initial={"name": request.GET.get("name", "")})
    if request.method == "POST" and can_create and form.is_valid():
        data = form.cleaned_data
        try:
            collective = services.collective_create(
                user=request.user,
                host=data["host"],
                name=data["name"],
                slug=data["slug"],
                description=data["description"],
                category=data["category"],
                commune=data["commune"],
                languages=data["languages"],
                message=data["message"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your collective is created. The host will review your application."))
            return redirect("profile", collective.slug)
    return render(
        request,
        "hosting/collective_create.html",
        {
            "form": form,
            "can_create": can_create,
            "slug_state": _slug_state(form),
            "only_host": hosts[0] if len(hosts) == 1 else None,
        },
    )


def _slug_state(form) -> dict:
    value = (form.data.get("slug") or "").strip().lower() if form.is_bound else ""
    return {"value": value, "suggested": form.data.get("slug_suggested", "") if form.is_bound else ""}


@require_GET
def slug_check(request):
    """htmx: suggest an address from the name (unless the person typed their own) and say if it is free."""
    name = request.GET.get("name", "")[:120]
    slug = request.GET.get("slug", "").strip().lower()[:50]
    suggested = request.GET.get("slug_suggested", "")
    if name.strip() and (not slug or slug == suggested):
        slug = suggested = slugs.slug_suggest(name)
    state = {"value": slug, "suggested": suggested}
    if slug:
        problem = slugs.slug_problem(slug)
        state.update(checked=True, problem=problem)
    return render(request, "hosting/_slug_field.html", {"slug_state": state})


def _invitation_state(invitation, user) -> str:
    if not invitation.is_open:
        return "used"
    if team.invitation_is_expired(invitation):
        return "expired"
    if user.is_authenticated and not team.invitation_is_for(invitation, user):
        return "wrong_account"
    return "open"


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """Anyone with the link sees what it is for; only the invited address, logged in, can accept it."""
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        return render(request, "hosting/invitation.html", {"invitation": None}, status=404)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        try:
            invitation = team.invitation_accept(token=token, user=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            invitation = selectors.invitation_by_token(token)
        else:
            messages.success(request, _("You are now an admin of %(name)s.") % {"name": invitation.collective.name})
            return redirect("profile", invitation.collective.slug)
    state = _invitation_state(invitation, request.user)
    status = {"expired": 410, "wrong_account": 403}.get(state, 200)
    if state == "used" and invitation.accepted_by_id == request.user.pk:
        status = 200
    return render(request, "hosting/invitation.html", {"invitation": invitation, "state": state}, status=status)
