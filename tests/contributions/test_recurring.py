"""Memberships: renewals, past due with an email, lapse after the grace period, cancel by token/owner/admin."""

import datetime as dt

import pytest
from django.test import Client

from opencity.contributions import selectors, services
from opencity.contributions.models import Contribution, RecurringContribution, RecurringEvent, Tier
from opencity.contributions.recurring import memberships_check
from opencity.contributions.settlement import add_interval
from opencity.core.errors import PermissionDenied
from tests.conftest import make_user
from tests.contributions.helpers import give

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_tier(collective, collective_admin):
    return services.tier_create(
        collective=collective,
        by=collective_admin,
        name="Member",
        type=Tier.Type.MEMBERSHIP,
        amount_type=Tier.AmountType.FIXED,
        amount=1000,
        interval="month",
    )


def test_add_interval_clamps_month_end():
    assert add_interval(dt.date(2026, 1, 31), "month") == dt.date(2026, 2, 28)
    assert add_interval(dt.date(2026, 12, 15), "month") == dt.date(2027, 1, 15)
    assert add_interval(dt.date(2028, 2, 29), "year") == dt.date(2029, 2, 28)


def test_demo_membership_renews_and_shows_on_the_collective(client, collective, member_tier, check_ledger):
    c = give(collective, amount=None, tier=member_tier.slug, name="Mia Member")
    rec = c.recurring
    assert rec.status == "active" and rec.next_expected_date == add_interval(c.paid_at.date(), "month")
    assert selectors.collective_monthly_recurring_income(collective) == 1000
    counts = memberships_check(today=rec.next_expected_date)
    assert counts["renewed"] == 1
    assert rec.contributions.filter(status="paid").count() == 2
    memberships_check(today=rec.next_expected_date)  # same day again: nothing more
    assert rec.contributions.count() == 2
    page = client.get(f"/{collective.slug}/")
    assert b"Mia Member" in page.content and b"Member" in page.content
    check_ledger()


def test_past_due_then_lapse_after_grace(
    collective, member_tier, settings, mailoutbox, django_capture_on_commit_callbacks
):
    c = give(collective, amount=None, tier=member_tier.slug)
    rec = c.recurring
    settings.DEMO_MODE = False  # the demo card is gone: renewals cannot happen
    due = rec.next_expected_date
    with django_capture_on_commit_callbacks(execute=True):
        memberships_check(today=due + dt.timedelta(days=2))
    rec.refresh_from_db()
    assert rec.status == "past_due"
    assert any("could not be renewed" in m.subject for m in mailoutbox)
    grace = collective.host.membership_grace_days
    memberships_check(today=rec.past_due_since + dt.timedelta(days=grace - 1))
    rec.refresh_from_db()
    assert rec.status == "past_due"
    memberships_check(today=rec.past_due_since + dt.timedelta(days=grace))
    rec.refresh_from_db()
    assert rec.status == "cancelled"
    assert list(RecurringEvent.objects.filter(recurring=rec).values_list("to_status", flat=True)) == [
        "active",
        "past_due",
        "cancelled",
    ]


def test_cancel_from_the_link_in_the_receipt(
    client, collective, member_tier, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        c = give(collective, amount=None, tier=member_tier.slug)
    rec = c.recurring
    link = f"/memberships/cancel/{rec.cancel_token}"
    assert link in mailoutbox[0].body
    assert client.get("/memberships/cancel/wrong-token").status_code == 404
    assert client.get(link).status_code == 200
    client.post(link)
    rec.refresh_from_db()
    assert rec.status == "cancelled"


def test_cancel_by_owner_admin_but_not_strangers(collective, member_tier, collective_admin):
    owner = make_user()
    c = give(collective, amount=None, tier=member_tier.slug, user=owner)
    rec = c.recurring
    stranger = Client()
    stranger.force_login(make_user())
    assert stranger.post(f"/memberships/{rec.public_id}/cancel").status_code == 404
    from opencity.contributions.recurring import recurring_cancel

    with pytest.raises(PermissionDenied):
        recurring_cancel(recurring=rec, by=make_user())
    me = Client()
    me.force_login(owner)
    assert b"Member" in me.get("/contributions/mine").content
    me.post(f"/memberships/{rec.public_id}/cancel", {"confirm": "yes"})
    rec.refresh_from_db()
    assert rec.status == "cancelled"
    c2 = give(collective, amount=None, tier=member_tier.slug, email="other@example.org")
    recurring_cancel(recurring=c2.recurring, by=collective_admin)
    assert RecurringContribution.objects.filter(status="cancelled").count() == 2
    assert selectors.collective_monthly_recurring_income(collective) == 0


def test_quantity_limit(collective, collective_admin):
    from opencity.contributions.errors import TierSoldOut

    tier = services.tier_create(
        collective=collective, by=collective_admin, name="Founding member", minimum=500, quantity_limit=1
    )
    give(collective, amount=500, tier=tier.slug)
    with pytest.raises(TierSoldOut):
        give(collective, amount=500, tier=tier.slug, email="late@example.org")
    assert Contribution.objects.count() == 1


def test_daily_command_runs_the_tasks(collective, member_tier, monkeypatch, capsys):
    import urllib.request

    from django.core.management import call_command

    def offline(request, timeout):
        raise OSError("offline")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    give(collective, amount=None, tier=member_tier.slug)
    call_command("contributions_daily")
    assert "memberships_check" in capsys.readouterr().out


def test_nul_in_urls_is_refused(client):
    assert client.get("/memberships/cancel/a%00b").status_code == 400
    assert client.get("/contributions/con_%00/thanks").status_code == 400


def test_cancelling_a_membership_asks_first_without_javascript(collective, member_tier):
    """One click on "Cancel" shows what will end; only the confirmation cancels (the same post, confirmed)."""
    c = give(collective, amount=None, tier=member_tier.slug, email="mia@example.org")
    rec = c.recurring
    me = Client()
    me.force_login(collective.admins.first())
    url = f"/memberships/{rec.public_id}/cancel"
    page = me.post(url, {"next": f"/{collective.slug}/contributions"})
    rec.refresh_from_db()
    assert page.status_code == 200 and rec.status == "active"
    body = page.content.decode()
    assert "Cancel this membership?" in body and "€10.00" in body and collective.name in body
    assert 'name="confirm" value="yes"' in body and f'name="next" value="/{collective.slug}/contributions"' in body
    assert "<script" not in body.split("<main", 1)[1]
    me.post(url, {"next": f"/{collective.slug}/contributions", "confirm": "yes"})
    rec.refresh_from_db()
    assert rec.status == "cancelled"
