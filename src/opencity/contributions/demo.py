"""Demo: tiers on every active collective, paid gifts (some anonymous, some from organisations), live
memberships renewed for a few months, and one refunded gift — all through the services, with the demo card."""

from __future__ import annotations

import datetime as dt

from django.test.utils import override_settings
from django.utils import timezone

from opencity.contributions import services, settlement
from opencity.contributions.models import Tier
from opencity.contributions.recurring import memberships_check
from opencity.contributions.services import CheckoutRequest
from opencity.payments import providers

ORGANISATIONS = [
    ("Boulangerie Dansaert SRL", "https://boulangerie.example", "BE0403170701"),
    ("Fietsatelier Brussel VZW", "https://fietsatelier.example", ""),
]
MESSAGES = ["Keep going!", "Merci pour tout ce que vous faites.", "Bedankt!", "", "Proud neighbour."]


def _pay(contribution, *, days_ago: int):
    demo = providers.get("demo")
    return settlement.contribution_record_paid(
        contribution=contribution,
        processor="demo",
        processor_fee=demo.estimate_fee(contribution.amount),
        external_payment_id=f"demo_{contribution.public_id}",
        effective_date=timezone.localdate() - dt.timedelta(days=days_ago),
    )


def seed(ctx: dict) -> None:
    token = settlement.receipts_enabled.set(False)
    try:
        with override_settings(DEMO_MODE=True):
            _seed(ctx)
    finally:
        settlement.receipts_enabled.reset(token)


def _seed(ctx: dict) -> None:
    people = ctx.get("people") or []
    host_admin = ctx["host_admin"]
    collectives = [c for c in ctx["collectives"] if c.is_active]
    refunded = False
    for i, collective in enumerate(collectives):
        admin = ctx["collective_admins"].get(collective.slug)
        member_tier = services.tier_create(
            collective=collective,
            by=admin,
            name="Member",
            description="Support us every month and get our newsletter.",
            type=Tier.Type.MEMBERSHIP,
            amount_type=Tier.AmountType.FIXED,
            amount=1000,
            interval="month",
        )
        donation = services.tier_create(
            collective=collective,
            by=admin,
            name="Donation",
            description="A one-time gift of the amount you choose.",
            presets=[1000, 2500, 5000],
            minimum=500,
            goal=200000 if i % 2 == 0 else None,
        )
        if i % 3 == 0:
            services.tier_create(
                collective=collective,
                by=admin,
                name="Supporter (yearly)",
                type=Tier.Type.MEMBERSHIP,
                amount_type=Tier.AmountType.FIXED,
                amount=6000,
                interval="year",
                quantity_limit=50,
            )
        for j, person in enumerate(people[: 3 + i % 3]):
            org = ORGANISATIONS[(i + j) % 2] if (i + j) % 4 == 0 else None
            data = CheckoutRequest(
                amount=[2500, 1000, 5000, 2000, 7500][(i + j) % 5],
                tier=donation.slug if j % 2 == 0 else "",
                payment_method="demo",
                email=person.email,
                name=person.name,
                anonymous=(i + j) % 5 == 2,
                public_message=MESSAGES[(i + j) % len(MESSAGES)],
                cover_fees=j == 1,
                organisation_name=org[0] if org else "",
                organisation_website=org[1] if org else "",
                organisation_vat=org[2] if org else "",
                language=["fr", "nl", "en", "ar"][j % 4],
            )
            c = _pay(services.contribution_create(collective=collective, data=data), days_ago=20 + 7 * j + i)
            if not refunded and j == 1:
                settlement.contribution_refund(
                    contribution=c, by=host_admin, reason="Given twice by mistake", system=True
                )
                refunded = True
        # Two live memberships started about three months ago, renewed every month since.
        for k, person in enumerate(people[i % 2 : i % 2 + 2]):
            data = CheckoutRequest(
                tier=member_tier.slug,
                payment_method="demo",
                email=person.email,
                name=person.name,
                anonymous=k == 1 and i % 2 == 0,
                language=["fr", "nl"][k],
            )
            _pay(services.contribution_create(collective=collective, data=data), days_ago=75 + k)
    if ctx.get("member") is not None and collectives:
        user = ctx["member"]
        data = CheckoutRequest(tier="member", payment_method="demo", email=user.email, name=user.name)
        _pay(services.contribution_create(collective=collectives[0], data=data, user=user), days_ago=40)
        data = CheckoutRequest(amount=3000, payment_method="demo", email=user.email, name=user.name)
        _pay(
            services.contribution_create(collective=collectives[1 % len(collectives)], data=data, user=user),
            days_ago=10,
        )
    today = timezone.localdate()
    for _ in range(3):  # renew every membership up to today
        memberships_check(today=today)
