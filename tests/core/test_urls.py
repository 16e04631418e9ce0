"""Hosts and collectives live at `/<slug>/`: no slug may shadow a page of the site itself."""

from django.urls import URLResolver, get_resolver

from opencity.hosting.validators import RESERVED_SLUGS


def _routes(patterns, prefix: str = ""):
    for p in patterns:
        route = prefix + str(p.pattern).lstrip("^")
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, route)
        else:
            yield route


def test_every_top_level_path_is_a_reserved_slug():
    segments = {r.split("/")[0] for r in _routes(get_resolver().url_patterns)}
    fixed = {s for s in segments if s and not s.startswith("<")}
    assert {"accounts", "collectives", "api", "webhooks", "contributions"} <= fixed
    assert fixed - RESERVED_SLUGS == set()
