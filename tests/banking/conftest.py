import pytest

from opencity.banking import services as banking
from opencity.banking.models import PaymentReference
from opencity.contributions import services
from opencity.contributions.services import CheckoutRequest

IBAN = "BE68539007547034"


@pytest.fixture(autouse=True)
def _no_cards(settings):
    settings.DEMO_MODE = True
    settings.STRIPE_SECRET_KEY = ""


@pytest.fixture
def bank_account(host):
    return banking.bank_account_main(host=host)


def pending_transfer(collective, *, amount=2500, email="giver@example.org", name="Giver", **extra):
    """A contribution by bank transfer, through the real checkout: pending, with its communication."""
    data = CheckoutRequest(amount=amount, payment_method="bank_transfer", email=email, name=name, **extra)
    c = services.contribution_create(collective=collective, data=data)
    result = services.contribution_start_payment(contribution=c)
    c.refresh_from_db()
    c.instructions = result.instructions
    c.communication = PaymentReference.objects.get(contribution=c).communication
    return c
