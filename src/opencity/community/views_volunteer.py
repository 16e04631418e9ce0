"""`/volunteer` across the host, an opportunity's page and sign-up, and its admins' page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from opencity.community import permissions, services, volunteering
from opencity.community import selectors_volunteer as sel
from opencity.community.access import access_log_write
from opencity.community.forms import MailingForm, OpportunityForm, SignUpForm, split_tags
from opencity.community.models import AccessLog, SignUp
from opencity.core.errors import DomainError
from opencity.hosting.models import Commune
from opencity.hosting.selectors import collective_by_slug


def volunteer(request):
    f = sel.OpportunityFilter.from_query(request.GET)
    return render(
        request,
        "community/volunteer.html",
        {
            "opportunities": sel.open_opportunities(f),
            "filter": f,
            "communes": Commune.choices,
            "skills": sel.skill_names(),
        },
    )


@require_http_methods(["GET", "POST"])
def opportunity(request, public_id: str):
    o = sel.opportunity_by_public_id(public_id)
    if o is None:
        raise Http404
    form = SignUpForm(request.POST or None)
    wording = services.consent_wording(o.host)
    form.fields["keep_informed"].label = wording
    if request.user.is_authenticated:
        form.fields["name"].required = form.fields["email"].required = False
    if request.method == "POST" and form.is_valid():
        try:
            signup = volunteering.signup_create(
                opportunity=o, user=request.user, language=get_language() or "", wording=wording, **form.cleaned_data
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            if signup.email_verified:
                messages.success(request, _("Thank you! The organisers will get back to you."))
            else:
                messages.success(request, _("Thank you! Confirm your sign-up with the link we just emailed you."))
            return redirect("community:opportunity", o.public_id)
    context = {
        "o": o,
        "form": form,
        "can_write_stories": o.standing == volunteering.STORY and permissions.can_write_stories(request.user, o.host),
    }
    return render(request, "community/opportunity.html", context, status=400 if form.errors else 200)


def signup_confirm(request, token: str):
    try:
        signup = volunteering.signup_confirm_email(token=token)
    except DomainError as exc:
        return render(request, "community/consent.html", {"error": exc}, status=400)
    messages.success(request, _("Your sign-up is confirmed. Thank you!"))
    return redirect("community:opportunity", signup.opportunity.public_id)


def _scope(request, slug):
    obj = collective_by_slug(slug)
    if obj is None:
        raise Http404
    if not request.user.is_authenticated:
        return None
    host, collective = obj.host, (None if obj.is_host_profile else obj)
    if not permissions.can_post_opportunity(request.user, host, collective):
        raise PermissionDenied
    return host, collective


@require_http_methods(["GET", "POST"])
def manage(request, slug: str):
    scope = _scope(request, slug)
    if scope is None:
        return redirect_to_login(request.get_full_path())
    host, collective = scope
    form = OpportunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["skills"] = split_tags(data["skills"])
        try:
            volunteering.opportunity_create(host=host, collective=collective, by=request.user, **data)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The opportunity is open."))
            return redirect("community:volunteering_manage", slug)
    opportunities = sel.managed_opportunities(host, collective)
    shown = [s.person_id for o in opportunities for s in o.signups.all()]
    access_log_write(host=host, by=request.user, person_ids=shown, action=AccessLog.Action.VIEW)
    return render(
        request,
        "community/volunteering_manage.html",
        {
            "slug": slug,
            "host": host,
            "collective": collective,
            "form": form,
            "opportunities": opportunities,
            "mail_form": MailingForm(),
        },
        status=400 if form.errors else 200,
    )


def _managed_signup(request, public_id):
    signup = sel.signup_by_public_id(public_id)
    if signup is None or not permissions.can_manage_opportunity(request.user, signup.opportunity):
        raise Http404
    return signup


@require_POST
def signup_decide(request, slug: str, public_id: str):
    if _scope(request, slug) is None:
        return redirect_to_login(request.get_full_path())
    signup = _managed_signup(request, public_id)
    status = SignUp.Status.CONFIRMED if request.POST.get("decision") == "confirm" else SignUp.Status.DECLINED
    volunteering.signup_decide(signup=signup, status=status, by=request.user)
    return redirect("community:volunteering_manage", slug)


@require_POST
def signup_message(request, slug: str, public_id: str):
    if _scope(request, slug) is None:
        return redirect_to_login(request.get_full_path())
    signup = _managed_signup(request, public_id)
    try:
        volunteering.signup_message(
            signup=signup, by=request.user, subject=request.POST.get("subject", ""), body=request.POST.get("body", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Message sent."))
    return redirect("community:volunteering_manage", slug)


@require_POST
def opportunity_suggest(request, slug: str, public_id: str):
    scope = _scope(request, slug)
    if scope is None:
        return redirect_to_login(request.get_full_path())
    o = sel.opportunity_by_public_id(public_id)
    if o is None or o.host_id != scope[0].pk or not permissions.can_view_community(request.user, o.host):
        raise PermissionDenied
    try:
        n = volunteering.opportunity_suggest(opportunity=o, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Suggested to %(n)s people with matching skills.") % {"n": n})
    return redirect("community:volunteering_manage", slug)
