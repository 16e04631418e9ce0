"""Admin pages of a host (`/<host>/admin/…`) and of a collective (`/<slug>/edit`, `/<slug>/admins`).

Anonymous visitors are sent to the login page; signed-in people without the right get a 403.
Every question "may this person…" goes to hosting.permissions.
"""

import copy
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from opencity.core.confirm import confirm_page, confirmed
from opencity.core.errors import DomainError
from opencity.hosting import permissions, selectors, services, team
from opencity.hosting.forms import CollectiveEditForm, HostSettingsForm, InviteForm, RejectForm, add_domain_error


def _admin_view(lookup, allowed):
    """A view on `/<slug>/…` for the object `lookup(slug)` finds, open to users `allowed(user, obj)` admits:
    404 when there is no such object, login first for the anonymous, 403 for the others."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, slug: str, *args, **kwargs):
            obj = lookup(slug)
            if obj is None:
                raise Http404
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user, obj):
                raise PermissionDenied
            return view(request, obj, *args, **kwargs)

        return wrapper

    return decorator


_host_admin_view = _admin_view(selectors.host_by_slug, permissions.can_manage_host)
_collective_admin_view = _admin_view(selectors.collective_by_slug, permissions.can_edit_collective)


@_host_admin_view
def host_admin_index(request, host):
    return render(
        request,
        "hosting/admin/index.html",
        {"host": host, "pending_count": selectors.host_applications(host).count()},
    )


@_host_admin_view
def host_applications(request, host):
    pending = list(selectors.host_applications(host))
    decided = list(
        selectors.host_applications(host, status=None).exclude(status="pending").order_by("-decided_at")[:20]
    )
    return render(
        request,
        "hosting/admin/applications.html",
        {"host": host, "pending": pending, "decided": decided, "reject_form": RejectForm()},
    )


def _application(host, public_id: str):
    application = selectors.application_by_public_id(public_id)
    if application is None or application.host_id != host.pk:
        raise Http404
    return application


@require_POST
@_host_admin_view
def application_approve(request, host, public_id: str):
    application = _application(host, public_id)
    if not confirmed(request):
        return confirm_page(
            request,
            title=_("Approve %(name)s?") % {"name": application.collective.name},
            question=_(
                "%(name)s goes live at once: it can raise money in your host's name, and its organisers are told."
            )
            % {"name": application.collective.name},
            button=_("Yes, approve"),
            back_url=reverse("host_admin_applications", args=[host.slug]),
            danger=False,
        )
    try:
        services.application_approve(application=application, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(name)s is approved and live.") % {"name": application.collective.name})
    return redirect("host_admin_applications", host.slug)


@require_http_methods(["GET", "POST"])
@_host_admin_view
def application_reject(request, host, public_id: str):
    application = _application(host, public_id)
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not confirmed(request):
            return confirm_page(
                request,
                title=_("Reject %(name)s?") % {"name": application.collective.name},
                question=_("The applicants are told, with your reason: “%(reason)s”.")
                % {"reason": form.cleaned_data["reason"]},
                button=_("Yes, reject"),
                back_url=reverse("host_admin_applications", args=[host.slug]),
            )
        try:
            services.application_reject(application=application, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s was rejected; the applicants are told why.") % {"name": application.collective.name},
            )
            return redirect("host_admin_applications", host.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "hosting/admin/reject.html", {"host": host, "application": application, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
@_host_admin_view
def host_settings(request, host):
    form = HostSettingsForm.for_host(host, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.host_update(host=host, by=request.user, **form.changes())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("host_admin_settings", host.slug)
    return render(request, "hosting/admin/settings.html", {"host": host, "form": form})


@require_http_methods(["GET", "POST"])
@_collective_admin_view
def collective_edit(request, collective):
    # The form edits a copy: the service re-reads and locks the row, and a refused edit leaves the page as it was.
    form = CollectiveEditForm(request.POST or None, instance=copy.copy(collective))
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.collective_update(collective=collective, by=request.user, **form.changes())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("profile", updated.slug)
    return render(request, "hosting/collective_edit.html", {"collective": collective, "form": form})


@require_http_methods(["GET", "POST"])
@_collective_admin_view
def collective_admins(request, collective):
    form = InviteForm(request.POST if request.POST.get("action") == "invite" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite":
                if form.is_valid():
                    invitation = team.invitation_create(
                        collective=collective, by=request.user, email=form.cleaned_data["email"]
                    )
                    messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                    return redirect("collective_admins", collective.slug)
            elif action == "remove":
                member = _admin_user(collective, request.POST.get("admin"))
                if not confirmed(request):
                    leaving = member.pk == request.user.pk
                    return confirm_page(
                        request,
                        title=_("Leave %(collective)s?") % {"collective": collective.name}
                        if leaving
                        else _("Remove %(name)s?") % {"name": member.display_name},
                        question=_("You will no longer be an admin of %(collective)s.")
                        % {"collective": collective.name}
                        if leaving
                        else _("%(name)s will no longer be an admin of %(collective)s.")
                        % {"name": member.display_name, "collective": collective.name},
                        button=_("Yes, leave") if leaving else _("Yes, remove"),
                        back_url=reverse("collective_admins", args=[collective.slug]),
                    )
                team.collective_remove_admin(collective=collective, by=request.user, user=member)
                messages.success(request, _("%(name)s is no longer an admin.") % {"name": member.display_name})
                if member.pk == request.user.pk:
                    return redirect("profile", collective.slug)
                return redirect("collective_admins", collective.slug)
            elif action == "revoke":
                invitation = (
                    selectors.open_invitations(collective).filter(pk=_int(request.POST.get("invitation"))).first()
                )
                if invitation is None:
                    raise Http404
                team.invitation_revoke(invitation=invitation, by=request.user)
                messages.success(request, _("Invitation withdrawn."))
                return redirect("collective_admins", collective.slug)
        except DomainError as exc:
            if action == "invite":
                add_domain_error(form, exc)
            else:
                messages.error(request, str(exc.message))
                return redirect("collective_admins", collective.slug)
    return render(
        request,
        "hosting/collective_admins.html",
        {
            "collective": collective,
            "admins": selectors.collective_admins(collective),
            "invitations": selectors.open_invitations(collective),
            "form": form,
        },
    )


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _admin_user(collective, admin_id):
    row = selectors.collective_admins(collective).filter(pk=_int(admin_id)).first()
    if row is None:
        raise Http404
    return row.user
