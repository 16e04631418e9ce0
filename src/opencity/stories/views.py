"""Story pages: a collective's updates, one story in each of its languages, the host's stories, following."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from opencity.core.errors import DomainError
from opencity.hosting import selectors as hosting_selectors
from opencity.hosting.forms import add_domain_error
from opencity.hosting.models import Commune
from opencity.stories import front, permissions, selectors, services
from opencity.stories.forms import LANGUAGE_CHOICES, StoryForm, VersionForm
from opencity.stories.models import LANGUAGES, Theme

PAGE_SIZE = 12


def _collective(slug: str):
    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None or not collective.is_active:
        raise Http404
    return collective


def _reader_language(request) -> str:
    return (translation.get_language() or "en")[:2]


def front_page(request):
    """`/`: the city's page when the installation has one host, else the list of hosts."""
    hosts = hosting_selectors.hosts_for_home()
    city = front.city_page(hosts[0]["host"]) if len(hosts) == 1 else None
    return render(request, "home.html", {"hosts": hosts, "city": city, "lang": _reader_language(request)})


def collective_updates(request, slug: str):
    collective = _collective(slug)
    if collective.is_host_profile:
        return redirect("stories:host_stories", slug)
    page = Paginator(selectors.live_stories(collective=collective, user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "stories/updates.html",
        {
            "collective": collective,
            "page": page,
            "lang": _reader_language(request),
            "can_write": permissions.can_write(request.user, collective),
            "follow": selectors.follow_of(collective, request.user),
            "drafts": selectors.drafts(collective, request.user) if request.user.is_authenticated else [],
            "to_review": selectors.stories_to_review(collective=collective)
            if permissions.hosting_permissions.can_edit_collective(request.user, collective)
            else [],
        },
    )


def host_stories(request, slug: str):
    host = hosting_selectors.host_by_slug(slug)
    if host is None:
        raise Http404
    filters = {
        "language": request.GET.get("language", "") if request.GET.get("language", "") in LANGUAGES else "",
        "theme": request.GET.get("theme", "") if request.GET.get("theme", "") in Theme.values else "",
        "commune": request.GET.get("commune", "") if request.GET.get("commune", "") in Commune.values else "",
    }
    page = Paginator(selectors.live_stories(host=host, user=request.user, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "stories/host_stories.html",
        {
            "host": host,
            "collective": host.profile,
            "page": page,
            "filters": filters,
            "lang": _reader_language(request),
            "languages": LANGUAGE_CHOICES,
            "themes": Theme.choices,
            "communes": Commune.choices,
        },
    )


def story_detail(request, slug: str, public_id: str, language: str = ""):
    story = selectors.story_by_public_id(public_id)
    if story is None or story.collective.slug != slug.lower() or not permissions.can_read(request.user, story):
        raise Http404
    versions = list(story.versions.all())
    names = dict(LANGUAGE_CHOICES)
    for v in versions:
        v.name = names[v.language]
    if language and language not in {v.language for v in versions}:
        raise Http404
    version = selectors.version_for(story, language or _reader_language(request))
    return render(
        request,
        "stories/story.html",
        {
            "story": story,
            "collective": story.collective,
            "version": version,
            "versions": versions,
            "can_edit": permissions.can_edit(request.user, story),
            "can_approve": story.status == "pending" and permissions.can_approve(request.user, story),
            "follow": selectors.follow_of(story.collective, request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def story_new(request, slug: str):
    collective = _collective(slug)
    if not permissions.can_write(request.user, collective):
        raise Http404
    form = StoryForm(request.POST or None, request.FILES or None, initial={"language": _reader_language(request)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            story = services.story_create(
                collective=collective,
                by=request.user,
                language=data["language"],
                title=data["title"],
                body=data["body"],
                theme=data["theme"],
                visibility=data["visibility"],
                image=data["image"],
                image_alt=data["image_alt"],
            )
            if request.POST.get("action") == "publish":
                story = services.story_publish(story=story, by=request.user, at=data["publish_at"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if story.status == "pending":
                messages.success(request, _("Thank you. The collective’s admins will review your story."))
            elif story.status == "published":
                messages.success(request, _("Your story is published."))
            else:
                messages.success(request, _("Your draft is saved."))
            return redirect("stories:story_version", collective.slug, story.public_id, data["language"])
    return render(request, "stories/story_form.html", {"form": form, "collective": collective})


@login_required
@require_http_methods(["GET", "POST"])
def story_translate(request, slug: str, public_id: str):
    story = selectors.story_by_public_id(public_id)
    if story is None or story.collective.slug != slug.lower() or not permissions.can_edit(request.user, story):
        raise Http404
    form = VersionForm(request.POST or None, initial={"language": request.GET.get("language", "")})
    if request.method == "POST" and form.is_valid():
        try:
            services.story_set_version(story=story, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The translation is saved."))
            return redirect("stories:story_version", slug, public_id, form.cleaned_data["language"])
    return render(request, "stories/version_form.html", {"form": form, "story": story, "collective": story.collective})


@login_required
@require_POST
def story_action(request, slug: str, public_id: str, action: str):
    story = selectors.story_by_public_id(public_id)
    if story is None or story.collective.slug != slug.lower():
        raise Http404
    try:
        if action == "publish":
            services.story_publish(story=story, by=request.user)
        elif action == "approve":
            services.story_approve(story=story, by=request.user)
        elif action == "reject":
            services.story_reject(story=story, by=request.user, reason=request.POST.get("reason", ""))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("stories:story_detail", slug, public_id)


@require_POST
def follow(request, slug: str):
    collective = _collective(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("stories:collective_updates", args=[collective.slug]))
    if request.POST.get("action") == "unfollow":
        services.unfollow_user(collective=collective, user=request.user)
        messages.success(request, _("You no longer follow this collective."))
    else:
        services.follow(collective=collective, user=request.user, language=_reader_language(request))
        messages.success(request, _("You follow this collective: its new stories will come by email."))
    return redirect("stories:collective_updates", collective.slug)


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    done = False
    if request.method == "POST":
        services.unfollow(token=token)
        done = True
    return render(request, "stories/unsubscribe.html", {"done": done})
