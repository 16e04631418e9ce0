"""Community pages of admins (`/<slug>/community`, its CSV, mailings) — thin: parse, permit, call, render.

On a host's own slug a host admin sees the whole host; on a collective's slug its admins (and the host's)
see the people proven to have taken part in that collective only. Every page view and export of people is
written to the access log."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencity.community import permissions, selectors, services
from opencity.community.access import access_log_write
from opencity.community.forms import MailingForm, people_filter_from
from opencity.community.mailings import mailing_create
from opencity.community.models import AccessLog, Mailing, RetainedName
from opencity.core.errors import DomainError
from opencity.hosting.models import LANGUAGE_CHOICES, Commune
from opencity.hosting.selectors import collective_by_slug

PAGE_SIZE = 50


def _scope(request, slug: str):
    """(host, collective or None) the user may see people of; login first, 404 for no such slug, else 403."""
    obj = collective_by_slug(slug)
    if obj is None:
        raise Http404
    if not request.user.is_authenticated:
        return None
    if obj.is_host_profile:
        if not permissions.can_view_community(request.user, obj.host):
            raise PermissionDenied
        return obj.host, None
    if not permissions.can_view_collective_people(request.user, obj):
        raise PermissionDenied
    return obj.host, obj


def _filter_or_error(request, host):
    try:
        return people_filter_from(request.GET, host), None
    except DomainError as exc:
        return selectors.PeopleFilter(), exc


def community(request, slug: str):
    scope = _scope(request, slug)
    if scope is None:
        return redirect_to_login(request.get_full_path())
    host, collective = scope
    f, error = _filter_or_error(request, host)
    qs = selectors.members(host, f, collective=collective)
    try:
        page = max(0, min(int(request.GET.get("page", "0")), 2000))
    except ValueError:
        page = 0
    rows = selectors.members_page(qs, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    access_log_write(host=host, by=request.user, person_ids=[m.person_id for m in rows], action=AccessLog.Action.VIEW)
    counts = selectors.member_counts(qs)
    context = {
        "host": host,
        "collective": collective,
        "slug": slug,
        "rows": rows,
        "counts": counts,
        "filter": f,
        "error": error,
        "page": page,
        "has_next": len(rows) == PAGE_SIZE,
        "tags": selectors.host_tags(host),
        "communes": Commune.choices,
        "languages": LANGUAGE_CHOICES,
        "collectives": selectors.host_collectives(host) if collective is None else [],
        "query": request.GET.urlencode(),
        "mailing_form": MailingForm(),
        "mailings": list(Mailing.objects.filter(host=host, collective=collective).order_by("-created_at")[:10]),
        "retained": list(RetainedName.objects.filter(host=host).order_by("-issued_on")[:50])
        if collective is None
        else [],
    }
    return render(request, "community/community.html", context, status=400 if error else 200)


def _csv_safe(value) -> str:
    text = str(value or "")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value):
        return value


def community_csv(request, slug: str):
    """Consenting people only, whatever the filter says; each exported person logged."""
    scope = _scope(request, slug)
    if scope is None:
        return redirect_to_login(request.get_full_path())
    host, collective = scope
    f, error = _filter_or_error(request, host)
    if error:
        raise error
    f.consent = "yes"
    qs = selectors.members(host, f, collective=collective).select_related("person").prefetch_related("person__tags")
    members = list(qs.order_by("pk"))
    access_log_write(
        host=host, by=request.user, person_ids=[m.person_id for m in members], action=AccessLog.Action.EXPORT
    )
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(
            ["name", "email", "languages", "commune", "interests", "skills", "first_seen", "last_seen"]
        )
        for m in members:
            p = m.person
            tags = [t for t in p.tags.all() if t.host_id == host.pk]
            yield writer.writerow(
                [
                    _csv_safe(p.name),
                    _csv_safe(p.email),
                    " ".join(p.languages),
                    p.commune,
                    _csv_safe(", ".join(t.name for t in tags if t.kind == "interest")),
                    _csv_safe(", ".join(t.name for t in tags if t.kind == "skill")),
                    m.first_seen.date().isoformat(),
                    m.last_seen.date().isoformat(),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-community.csv"'
    return response


@require_POST
def community_mail(request, slug: str):
    scope = _scope(request, slug)
    if scope is None:
        return redirect_to_login(request.get_full_path())
    host, collective = scope
    if not permissions.can_mail(request.user, host, collective):
        raise PermissionDenied
    form = MailingForm(request.POST)
    target = request.path.rsplit("/", 1)[0] + "?" + request.GET.urlencode()
    if not form.is_valid():
        messages.error(request, _("Write a subject and a message."))
        return redirect(target)
    try:
        f = people_filter_from(request.GET, host)
        mailing = mailing_create(host=host, by=request.user, collective=collective, people=f, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect(target)
    messages.success(
        request,
        _("Your message is being sent to %(n)s people who agreed to hear from us.") % {"n": mailing.recipients_count},
    )
    return redirect(target)


@require_POST
def community_tags(request, slug: str):
    """The host's curated list of interests and skills, which people pick from."""
    scope = _scope(request, slug)
    if scope is None:
        return redirect_to_login(request.get_full_path())
    host, collective = scope
    if collective is not None:
        raise PermissionDenied
    try:
        services.tag_curate(host=host, kind=request.POST.get("kind", ""), name=request.POST.get("name", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("community:community", slug)
