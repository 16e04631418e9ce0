from django import template

from opencity.stories import selectors

register = template.Library()


@register.inclusion_tag("stories/_collective_block.html", takes_context=True)
def collective_stories_block(context, collective, limit: int = 3):
    request = context.get("request")
    user = getattr(request, "user", None)
    from django.utils import translation

    stories = list(selectors.live_stories(collective=collective, user=user)[:limit])
    lang = (translation.get_language() or "en")[:2]
    return {
        "collective": collective,
        "items": [(s, selectors.version_for(s, lang)) for s in stories],
    }


@register.simple_tag
def story_version(story, lang):
    return selectors.version_for(story, lang)
