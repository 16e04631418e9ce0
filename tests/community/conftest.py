import pytest


@pytest.fixture(autouse=True)
def _demo_mode(settings):
    settings.DEMO_MODE = True
    settings.STRIPE_SECRET_KEY = ""
    settings.COMMUNITY_MAIL_PAUSE = 0
