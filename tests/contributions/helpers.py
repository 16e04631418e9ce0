from opencity.contributions import services
from opencity.contributions.services import CheckoutRequest


def give(collective, *, amount=2500, email="giver@example.org", name="Giver", user=None, method="demo", **extra):
    """A contribution paid with the demo card, through the real checkout services."""
    data = CheckoutRequest(amount=amount, payment_method=method, email=email, name=name, **extra)
    c = services.contribution_create(collective=collective, data=data, user=user)
    services.contribution_start_payment(contribution=c)
    c.refresh_from_db()
    return c
