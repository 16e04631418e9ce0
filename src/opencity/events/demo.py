"""Demo events: the monthly BrusselsTogether meetup series (past dates with attendance, linked expenses and a
result; coming dates with free and paid tickets), a nearly sold-out repair café, a paid dinner."""

from __future__ import annotations

import datetime as dt
import random

from django.test.utils import override_settings
from django.utils import timezone

from opencity.contributions import settlement
from opencity.events import checkin, orders, services
from opencity.events.models import Event
from opencity.events.orders import AttendeeIn, OrderRequest
from opencity.payments import providers

FIRST_NAMES = [
    "Amina",
    "Jef",
    "Lucie",
    "Youssef",
    "Marieke",
    "Karim",
    "Sofia",
    "Pieter",
    "Inès",
    "Tom",
    "Fatima",
    "Bram",
]


def seed(ctx: dict) -> None:
    token = orders.emails_enabled.set(False)
    try:
        with override_settings(DEMO_MODE=True):
            _seed(ctx)
    finally:
        orders.emails_enabled.reset(token)


def _buy(event, ticket_type, n: int, *, at, rng, paid: bool, prefix: str) -> None:
    """`n` people each buy one ticket at `at` (the demo card settles with that date)."""
    for i in range(n):
        name = f"{rng.choice(FIRST_NAMES)} {chr(65 + (i % 26))}."
        email = f"{prefix}{i}@example.org"
        data = OrderRequest(
            attendees=[AttendeeIn(ticket_type=ticket_type.public_id, name=name)],
            email=email,
            name=name,
            payment_method="demo" if paid else "",
            contact_consent=i % 3 == 0,
        )
        settle_by_demo_card(orders.order_create(event=event, data=data, now=at), at=at)


def settle_by_demo_card(order, *, at) -> None:
    """A paid order settled as the demo card settles it, on the day of `at` (its processor fee estimated)."""
    if order.contribution_id:
        settlement.contribution_record_paid(
            contribution=order.contribution,
            processor="demo",
            processor_fee=providers.get("demo").estimate_fee(order.total),
            external_payment_id=f"demo_{order.contribution.public_id}",
            effective_date=timezone.localtime(at).date(),
        )


def _costs(ctx, event, items) -> None:
    from opencity.expenses import approvals, payouts
    from opencity.expenses import services as expenses
    from opencity.expenses.demo import _receipt
    from opencity.ledger import services as ledger

    host_admin = ctx["host_admin"]
    submitter = ctx.get("member") or host_admin
    day = timezone.localtime(event.starts_at).date()
    for n, (title, category, amount) in enumerate(items):
        expense = expenses.expense_create(
            collective=event.collective,
            by=submitter,
            type="reimbursement",
            title=title,
            category=category,
            items=[expenses.ItemInput(description=title, incurred_on=day, amount=amount, receipt=_receipt(n, title))],
            payee=expenses.PayeeInput(iban="BE71096123456769", account_holder=submitter.name or "Lucas Martin"),
            event_ref=event.public_id,
            draft=False,
        )
        approvals.expense_approve(expense=expense, by=host_admin)
        if n == 0 and ledger.funds_account(event.collective).balance >= amount:
            payouts.expense_mark_paid(expense=expense, by=host_admin, paid_on=day + dt.timedelta(days=3), system=True)


def _seed(ctx: dict) -> None:
    rng = random.Random(12)  # noqa: S311 - demo data, not security
    host = ctx["host"]
    host_admin = ctx["host_admin"]
    profile = host.profile
    now = timezone.now()
    today = timezone.localdate()
    # The monthly meetup: first Wednesday, 19:00–21:30, from three months ago, six dates.
    first = (today.replace(day=1) - dt.timedelta(days=75)).replace(day=1)
    series = services.series_create(
        collective=profile,
        by=host_admin,
        title="BrusselsTogether monthly meetup",
        rrule="RRULE:FREQ=MONTHLY;BYDAY=1WE",
        first_start=dt.datetime.combine(first, dt.time(19, 0)),
        duration=dt.timedelta(hours=2, minutes=30),
        count=6,
        description=(
            "Citizen initiatives of the whole city meet once a month: **five-minute pitches**, questions, and "
            "drinks.\n\nBring a friend, bring an idea. Talks in French, Dutch and English."
        ),
        venue_name="Maison des Associations",
        venue_address="Rue de la Loi 1, 1000 Bruxelles",
        languages=["fr", "nl", "en"],
        private_instructions="Enter by the courtyard door; the meeting room is on the first floor.",
        accent_colour="#1a6b54",
        tickets=[
            {"name": "Free entry", "price": 0, "quantity": 60, "max_per_order": 4},
            {"name": "Supporter (includes a drink)", "price": 500, "quantity": 20, "max_per_order": 4},
        ],
    )
    volunteer = ctx.get("member") or host_admin
    for k, event in enumerate(series.occurrences.order_by("starts_at")):
        free, supporter = event.ticket_types.order_by("position")
        services.event_helper_add(event=event, by=host_admin, user=volunteer)
        if event.ends_at < now:
            sold_at = event.starts_at - dt.timedelta(days=5)
            _buy(event, free, 25 + 4 * k, at=sold_at, rng=rng, paid=False, prefix=f"meetup{k}-free-")
            _buy(event, supporter, 8 + k, at=sold_at, rng=rng, paid=True, prefix=f"meetup{k}-sup-")
            for i, ticket in enumerate(event.tickets.all()):
                if i % 5 != 4:  # about four in five came
                    checkin.ticket_check_in(
                        event=event, code=ticket.code, by=volunteer, at=event.starts_at + dt.timedelta(minutes=i % 40)
                    )
            _costs(ctx, event, [("Room rent", "venue", 6000), ("Drinks and snacks", "food", 3500 + 500 * k)])
        else:
            _buy(event, free, 12 - 3 * k if k < 4 else 3, at=now, rng=rng, paid=False, prefix=f"meetup{k}-free-")
    _repair_cafe(ctx, rng, now)
    _past_workshops(ctx, rng, now)


PAST_WORKSHOPS = [
    # (title, days ago, places, came, costs)
    ("Neighbourhood workshop", 40, 40, 22, [("Room rent", "venue", 4000), ("Materials", "equipment", 2600)]),
    ("Open day", 55, 60, 35, [("Tent hire", "equipment", 7500), ("Flyers", "printing", 1800)]),
    ("Community lunch", 70, 50, 30, [("Ingredients", "food", 5200), ("Room rent", "venue", 3000)]),
]


def _past_workshops(ctx: dict, rng, now) -> None:
    """Past events of three more collectives, with arrivals and linked costs: enough collectives for the
    host's insights to compare what an event costs per attendee."""
    collectives = [c for c in ctx["collectives"] if c.is_active and not c.is_host_profile][1:4]
    for c, (title, days, places, came, costs) in zip(collectives, PAST_WORKSHOPS, strict=False):
        admin = ctx["collective_admins"].get(c.slug) or c.admins.first()
        start = timezone.localtime(now - dt.timedelta(days=days)).replace(hour=14, minute=0, second=0, microsecond=0)
        event = services.event_create(
            collective=c,
            by=admin,
            title=title,
            starts_at=start.replace(tzinfo=None),
            ends_at=start.replace(tzinfo=None, hour=18),
            description="An afternoon to meet the neighbours and see what we do.",
            venue_name="Maison de quartier",
            venue_address="Rue de la Paix 1, 1000 Bruxelles",
            languages=["fr", "nl"],
        )
        free = services.ticket_type_create(
            event=event,
            by=admin,
            name="Free entry",
            price=0,
            quantity=places,
            max_per_order=4,
        )
        _buy(event, free, came + 5, at=start - dt.timedelta(days=3), rng=rng, paid=False, prefix=f"{c.slug}-past-")
        for ticket in list(event.tickets.all())[:came]:
            checkin.ticket_check_in(event=event, code=ticket.code, by=admin, at=start + dt.timedelta(minutes=10))
        _costs(ctx, event, costs)


def _repair_cafe(ctx: dict, rng, now) -> None:
    collectives = {c.slug: c for c in ctx["collectives"] if c.is_active}
    cafe = collectives.get("repair-cafe-ixelles")
    if cafe is not None:
        admin = ctx["collective_admins"][cafe.slug]
        start = timezone.localtime(now + dt.timedelta(days=9)).replace(hour=10, minute=0, second=0, microsecond=0)
        event = services.event_create(
            collective=cafe,
            by=admin,
            title="Repair Café: bikes and lamps",
            starts_at=start.replace(tzinfo=None),
            ends_at=start.replace(tzinfo=None, hour=16),
            description="Bring your broken bike or lamp; our fixers repair it **with you**. Places are limited.",
            venue_name="Maison de quartier Malibran",
            venue_address="Rue de la Digue 10, 1050 Ixelles",
            languages=["fr", "nl", "en"],
            private_instructions="Bikes go to the courtyard; lamps upstairs.",
        )
        bring = services.ticket_type_create(
            event=event,
            by=admin,
            name="Repair slot",
            price=0,
            quantity=20,
            max_per_order=2,
            questions=["What needs fixing?"],
        )
        _buy(event, bring, 18, at=now, rng=rng, paid=False, prefix="cafe-")  # nearly sold out: 2 left
    others = [c for c in ctx["collectives"] if c.is_active and not c.is_host_profile and c is not cafe]
    if others:
        c = others[0]
        admin = ctx["collective_admins"].get(c.slug) or c.admins.first()
        start = timezone.localtime(now + dt.timedelta(days=20)).replace(hour=19, minute=0, second=0, microsecond=0)
        event = services.event_create(
            collective=c,
            by=admin,
            title="Fundraising dinner",
            starts_at=start.replace(tzinfo=None),
            ends_at=start.replace(tzinfo=None, hour=23),
            description="A three-course vegetarian dinner cooked by neighbours. All profits go to the collective.",
            venue_name="Salle des fêtes",
            venue_address="Place Communale 1, 1190 Forest",
            languages=["fr", "nl"],
        )
        dinner = services.ticket_type_create(
            event=event, by=admin, name="Dinner", price=2500, quantity=80, max_per_order=6
        )
        services.ticket_type_create(event=event, by=admin, name="Child (under 12)", price=1000, quantity=20)
        _buy(event, dinner, 14, at=now, rng=rng, paid=True, prefix="dinner-")
    assert Event.objects.exists()
