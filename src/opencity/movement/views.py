"""Start your own movement: the explanation, the application, the review, the new host's checklist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from opencity.core.errors import DomainError
from opencity.hosting import permissions as hosting_permissions
from opencity.hosting import selectors as hosting_selectors
from opencity.hosting.forms import add_domain_error
from opencity.movement import permissions, services
from opencity.movement.forms import HostRequestForm
from opencity.movement.models import HostRequest


def start(request):
    return render(request, "movement/start.html", {"can_apply": permissions.can_apply(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def apply(request):
    form = HostRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and permissions.can_apply(request.user) and form.is_valid():
        try:
            services.host_request_submit(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you. An administrator of this installation will review your request."))
            return redirect("movement:start")
    return render(request, "movement/apply.html", {"form": form, "can_apply": permissions.can_apply(request.user)})


@login_required
def requests(request):
    if not permissions.can_review(request.user):
        raise Http404
    pending = HostRequest.objects.filter(status=HostRequest.Status.PENDING).select_related("applied_by")
    return render(request, "movement/requests.html", {"pending": pending})


@login_required
@require_POST
def decide(request, public_id: str, action: str):
    if not permissions.can_review(request.user):
        raise Http404
    req = HostRequest.objects.filter(public_id=public_id).first()
    if req is None or action not in ("approve", "reject"):
        raise Http404
    try:
        if action == "approve":
            services.host_request_approve(request=req, by=request.user)
            messages.success(request, _("The host is created; its admin can now walk the setup checklist."))
        else:
            services.host_request_reject(request=req, by=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("The request is rejected."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("movement:requests")


@login_required
def setup(request, slug: str):
    host = hosting_selectors.host_by_slug(slug)
    if host is None or not hosting_permissions.is_host_admin(request.user, host):
        raise Http404
    return render(request, "movement/setup.html", {"host": host, "steps": services.setup_checklist(host, request.user)})
