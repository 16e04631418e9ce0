import pytest
from django.core.management import call_command

from opencity.community.models import Consent, Interaction, Member, Opportunity
from opencity.hosting.models import Host

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_community(settings):
    settings.DEMO_MODE = True
    call_command("demo", stdout=open("/dev/null", "w"))
    host = Host.objects.get(profile__slug="brusselstogether")
    members = Member.objects.filter(host=host)
    assert members.count() >= 300
    consenting = members.filter(consenting=True).count()
    assert 0 < consenting < members.count()
    assert Interaction.objects.filter(host=host).values("collective").distinct().count() >= 3
    assert Consent.objects.filter(host=host, confirmed_at__isnull=False).count() == consenting
    assert Opportunity.objects.filter(host=host, status="open", standing="story").count() == 1
    assert Opportunity.objects.filter(host=host, status="open").count() >= 5
