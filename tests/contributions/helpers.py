from opencity.contributions import services
from opencity.contributions.services import CheckoutRequest


def give(collective, *, amount=2500, email="giver@example.org", name="Giver", user=None, method="demo", **extra):
    """A contribution paid with the demo card, through the real checkout services."""
    data = CheckoutRequest(amount=amount, payment_method=method, email=email, name=name, **extra)
    c = services.contribution_create(collective=collective, data=data, user=user)
    services.contribution_start_payment(contribution=c)
    c.refresh_from_db()
    return c


def top_up(collective, amount: int, key: str = "top-up"):
    """Other money the collective already holds (so it can bear a refund's lost card fee)."""
    from opencity.ledger.models import AccountKind, TransferKind
    from opencity.ledger.services import host_account, record_incoming_payment

    return record_incoming_payment(
        collective=collective,
        amount=amount,
        idempotency_key=key,
        charge_host_fee=False,
        source_account=host_account(collective.host, AccountKind.BANK),
        kind=TransferKind.ADDED_FUNDS,
    )
