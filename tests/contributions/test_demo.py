import pytest
from django.core.management import call_command

from opencity.contributions.models import Contribution, RecurringContribution, Tier
from opencity.hosting import demo as hosting_demo

pytestmark = pytest.mark.django_db


def test_demo_seed(settings, check_ledger, mailoutbox, django_capture_on_commit_callbacks):
    settings.DEMO_MODE = False  # the seed turns the demo card on for itself
    ctx = {"logins": []}
    hosting_demo.seed(ctx)
    from opencity.contributions import demo

    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(ctx)
    assert not [m for m in mailoutbox if "receipt" in m.subject.lower()]  # no receipts to demo people
    active = [c for c in ctx["collectives"] if c.is_active]
    assert Tier.objects.filter(name="Member", amount=1000, interval="month").count() == len(active)
    assert Contribution.objects.filter(status="paid", anonymous=True).exists()
    assert Contribution.objects.filter(status="paid").exclude(organisation_name="").exists()
    assert Contribution.objects.filter(status="refunded").count() == 1
    assert RecurringContribution.objects.filter(status="active").count() >= 2 * len(active)
    assert not Contribution.objects.filter(status="paid", receipt_number__isnull=True).exists()
    assert Contribution.objects.filter(recurring__isnull=False).count() > RecurringContribution.objects.count()
    call_command("check_ledger")
