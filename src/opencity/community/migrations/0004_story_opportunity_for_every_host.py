"""Every existing host gets its standing "write a story" volunteer opportunity (new hosts get it at creation)."""

from django.db import migrations
from django.db.models.functions import Lower


def forwards(apps, schema_editor):
    Host = apps.get_model("hosting", "Host")
    Opportunity = apps.get_model("community", "Opportunity")
    Tag = apps.get_model("community", "Tag")
    from opencity.core.ids import new_public_id

    for host in Host.objects.exclude(pk__in=Opportunity.objects.filter(standing="story").values("host_id")):
        opportunity = Opportunity.objects.create(
            public_id=new_public_id("vol"),
            host=host,
            title="Write a story",
            standing="story",
            people_needed=20,
            description=(
                "Write about a great initiative of the city, in English, French, Dutch, Arabic or another language."
            ),
        )
        tag = Tag.objects.annotate(lname=Lower("name")).filter(host=host, kind="skill", lname="writing").first()
        tag = tag or Tag.objects.create(host=host, kind="skill", name="Writing")
        opportunity.skills.add(tag)


class Migration(migrations.Migration):
    dependencies = [("community", "0003_mailing_lease_and_suggestions"), ("hosting", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
