"""A year of money per active collective: card and bank contributions with their fees, sponsors' added
funds, one reversal and a gift between two collectives, all posted through the ledger's services."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from opencity.ledger import phrases, services
from opencity.ledger.models import AccountKind

SPONSORS = ["Fondation Roi Baudouin", "Commune — subside de quartier", "Bruxelles Environnement", "Cash at the fair"]


def _stripe_fee(amount: int) -> int:
    return round(amount * 15 / 1000) + 25  # 1.5 % + €0.25, European cards


def seed(ctx: dict) -> None:
    host = ctx["host"]
    admin = ctx["host_admin"]
    people = ctx.get("people") or []
    today = timezone.localdate()
    clearing = {p: services.host_account(host, AccountKind.CLEARING, p) for p in ("stripe", "bank_transfer")}
    active = [c for c in ctx["collectives"] if c.is_active and not c.is_host_profile]
    journals = 0
    for ci, collective in enumerate(active):
        rng = random.Random(f"ledger-demo-{collective.slug}")
        for month_back in range(11, -1, -1):
            for n in range(rng.randint(1, 4)):
                day = today - dt.timedelta(days=month_back * 30 + rng.randint(0, 27))
                amount = rng.choice([500, 1000, 1000, 1500, 2000, 2500, 5000, 10000])
                by_card = rng.random() < 0.65
                processor = "stripe" if by_card else "bank_transfer"
                anonymous = rng.random() < 0.2
                person = people[rng.randrange(len(people))] if people else None
                services.record_incoming_payment(
                    collective=collective,
                    amount=amount,
                    idempotency_key=f"demo:{collective.slug}:{month_back}:{n}",
                    source_account=clearing[processor],
                    processor_fee=_stripe_fee(amount) if by_card else 0,
                    # Against clearing, as real card payments post it (payments/clearing.py).
                    processor_fee_account=clearing["stripe"] if by_card else None,
                    facts=phrases.facts(phrases.CONTRIBUTION),
                    effective_date=day,
                    source_type="demo",
                    person=person,
                    anonymous=anonymous,
                )
                journals += 1
        # A sponsor's transfer or cash from a fundraiser, twice a year.
        for k in range(2):
            services.added_funds_record(
                collective=collective,
                amount=rng.choice([15000, 25000, 40000]),
                source=SPONSORS[(ci + k) % len(SPONSORS)],
                description="Neighbourhood grant" if k == 0 else "Proceeds of the spring fair",
                date=today - dt.timedelta(days=rng.randint(20, 330)),
                charge_host_fee=k == 0,
                by=admin,
                idempotency_key=f"demo:{collective.slug}:added:{k}",
                system=True,
            )
            journals += 1
    if active:
        # One entry recorded twice by mistake, then reversed with a reason: nothing is ever edited.
        first = active[0]
        duplicate = services.added_funds_record(
            collective=first,
            amount=12000,
            source=SPONSORS[0],
            description="Neighbourhood grant (entered twice)",
            date=today - dt.timedelta(days=45),
            charge_host_fee=True,
            by=admin,
            idempotency_key=f"demo:{first.slug}:added:duplicate",
            system=True,
        )
        services.added_funds_reverse(journal=duplicate, reason="Recorded twice by mistake", by=admin, system=True)
        journals += 2
    if len(active) >= 2:
        giver, receiver = active[0], active[1]
        services.collective_transfer(
            from_collective=giver,
            to_collective=receiver,
            amount=5000,
            description=f"Spare tools money for {receiver.name}",
            by=ctx["collective_admins"][giver.slug],
            idempotency_key=f"demo:gift:{giver.slug}:{receiver.slug}",
            effective_date=today - dt.timedelta(days=60),
            system=True,
        )
        journals += 1
    ctx["ledger_journals"] = journals
    stdout = ctx.get("stdout")
    if stdout is not None:
        stdout.write(f"  {journals} journals posted for {len(active)} collectives")
