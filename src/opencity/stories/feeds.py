"""Atom feeds of public stories: per collective, per host, per language (`?lang=nl`)."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed

from opencity.core.markdown import render_markdown
from opencity.hosting import selectors as hosting_selectors
from opencity.stories import selectors
from opencity.stories.models import LANGUAGES

FEED_SIZE = 30


def feed(request, slug: str):
    collective = hosting_selectors.collective_by_slug(slug)
    if collective is None or not collective.is_active:
        raise Http404
    lang = request.GET.get("lang", "")
    if lang and lang not in LANGUAGES:
        raise Http404
    language = lang or translation.get_language() or settings.LANGUAGE_CODE
    if collective.is_host_profile:
        stories = selectors.public_stories(host=collective.host, language=lang)
        page = reverse("stories:host_stories", args=[slug])
    else:
        stories = selectors.public_stories(collective=collective, language=lang)
        page = reverse("stories:collective_updates", args=[slug])
    atom = Atom1Feed(
        title=collective.name,
        link=settings.SITE_URL + page,
        description=collective.description,
        language=language,
        feed_url=settings.SITE_URL + request.get_full_path(),
    )
    for story in stories[:FEED_SIZE]:
        version = selectors.version_for(story, language)
        url = settings.SITE_URL + reverse(
            "stories:story_version", args=[story.collective.slug, story.public_id, version.language]
        )
        atom.add_item(
            title=version.title,
            link=url,
            description=str(render_markdown(version.body)),
            unique_id=f"{url}",
            pubdate=story.publish_at,
            updateddate=max(story.publish_at, version.updated_at),
            author_name=story.collective.name,
            categories=[story.theme],
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    atom.write(response, "utf-8")
    response["Content-Language"] = language
    return response
