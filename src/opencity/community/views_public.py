"""Pages reached from a link in an email, no login needed: your data, unsubscribe, consent confirmation."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from opencity.community import selectors, services, tasks, tokens
from opencity.community.erasure import LEGAL_RETENTION_YEARS, person_erase
from opencity.community.forms import ProfileForm, split_tags
from opencity.community.models import Person
from opencity.core.errors import DomainError
from opencity.hosting.models import Host


def _person_from_data_token(token: str) -> Person:
    values = tokens.read(tokens.DATA_SALT, token, max_age=tokens.DATA_LINK_MAX_AGE)
    if not values or len(values) != 2:
        raise Http404
    person = selectors.person_by_public_id(values[0])
    if person is None or person.email.lower() != values[1]:
        raise Http404
    return person


@require_http_methods(["GET", "POST"])
def your_data_request(request):
    """Ask for a link to your data. The answer is the same whether or not we know the address."""
    if request.method == "POST":
        email = request.POST.get("email", "").strip()[:254]
        if email:
            tasks.send_data_link.enqueue(email=email)
        messages.success(request, _("If we hold data about this address, a link to it is on its way."))
        return redirect("community:your_data_request")
    return render(request, "community/your_data_request.html")


def your_data(request, token: str):
    person = _person_from_data_token(token)
    data = selectors.person_data(person)
    forms = []
    for host in Host.objects.filter(members__person=person).select_related("profile"):
        tags = [t for t in person.tags.all() if t.host_id == host.pk]
        initial = {
            "languages": person.languages,
            "commune": person.commune,
            "interests": ", ".join(t.name for t in tags if t.kind == "interest"),
            "skills": ", ".join(t.name for t in tags if t.kind == "skill"),
        }
        curated = selectors.host_tags(host)
        forms.append((host, ProfileForm(initial=initial), [t.name for t in curated if t.curated]))
    return render(
        request,
        "community/your_data.html",
        {
            "person": person,
            "data": data,
            "token": token,
            "retention_years": LEGAL_RETENTION_YEARS,
            "profile_forms": forms,
        },
    )


def your_data_json(request, token: str):
    person = _person_from_data_token(token)
    body = json.dumps(selectors.person_data(person), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@require_POST
def your_data_withdraw(request, token: str):
    person = _person_from_data_token(token)
    services.consent_withdraw(person=person)
    messages.success(request, _("Done: nobody will write to you about initiatives any more."))
    return redirect("community:your_data", token)


@require_POST
def your_data_profile(request, token: str):
    """Languages, commune, interests and skills, as the person tells them (for one host's curated list)."""
    person = _person_from_data_token(token)
    host = Host.objects.filter(members__person=person, pk=request.POST.get("host") or 0).first()
    form = ProfileForm(request.POST)
    if host is None or not form.is_valid():
        messages.error(request, _("Check the form: something is not valid."))
        return redirect("community:your_data", token)
    d = form.cleaned_data
    try:
        services.person_update_profile(
            person=person, host=host, languages=d["languages"], commune=d["commune"],
            interests=split_tags(d["interests"]), skills=split_tags(d["skills"]),
        )  # fmt: skip
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("community:your_data", token)


@require_POST
def your_data_erase(request, token: str):
    person = _person_from_data_token(token)
    if request.POST.get("confirm") != "erase":
        messages.error(request, _("Tick the box to confirm that you want to erase your data."))
        return redirect("community:your_data", token)
    person_erase(person=person)
    return render(request, "community/erased.html", {"retention_years": LEGAL_RETENTION_YEARS})


@csrf_exempt  # RFC 8058: mail apps POST "List-Unsubscribe=One-Click" without a session; the token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    values = tokens.read(tokens.UNSUBSCRIBE_SALT, token)
    if not values or len(values) != 2:
        raise Http404
    person = selectors.person_by_public_id(values[0])
    host = Host.objects.filter(pk=values[1]).first() if isinstance(values[1], int) else None
    if person is None or host is None:
        raise Http404
    if request.method == "POST":
        services.consent_withdraw(person=person, host=host)
        return render(request, "community/unsubscribed.html", {"host": host, "done": True})
    return render(request, "community/unsubscribed.html", {"host": host, "done": False, "token": token})


@require_http_methods(["GET", "POST"])
def consent_confirm(request, token: str):
    """GET shows a button (mail scanners follow links); POST confirms."""
    if request.method == "POST":
        try:
            consent = services.consent_confirm(token=token)
        except DomainError as exc:
            return render(request, "community/consent.html", {"error": exc}, status=400)
        return render(request, "community/consent.html", {"consent": consent, "done": True})
    return render(request, "community/consent.html", {"token": token})
