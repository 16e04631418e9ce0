import datetime as dt

import pytest
from django.utils import timezone

from opencity.stories import services
from tests.conftest import make_user


@pytest.fixture(autouse=True)
def _demo_mode(settings):
    settings.DEMO_MODE = True
    settings.STRIPE_SECRET_KEY = ""


class Clock:
    """A frozen clock for `django.utils.timezone.now`, moved by hand."""

    def __init__(self, monkeypatch):
        self.now = timezone.now().replace(microsecond=0)
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta):
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def write(collective, by=None, language="en", title="Our first harvest", body="We picked **40 kg** of apples.", **kw):
    by = by or collective.admins.first()
    return services.story_create(collective=collective, by=by, language=language, title=title, body=body, **kw)


@pytest.fixture
def follower(collective):
    user = make_user("follower@example.org", name="Follower")
    services.follow(collective=collective, user=user, language="nl")
    return user
