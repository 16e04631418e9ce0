import pytest


@pytest.fixture(autouse=True)
def _demo_mode(settings):
    """The demo card pays at once, so scenarios reach PAID without Stripe."""
    settings.DEMO_MODE = True
    settings.STRIPE_SECRET_KEY = ""


@pytest.fixture
def world(db):
    """Every role around one collective (shared with the expense tests)."""
    from tests.expenses.conftest import World

    return World()
