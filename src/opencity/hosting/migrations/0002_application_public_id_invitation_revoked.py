import opencity.core.ids
from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    HostApplication = apps.get_model("hosting", "HostApplication")
    for app in HostApplication.objects.filter(public_id__isnull=True).only("pk"):
        app.public_id = opencity.core.ids.new_public_id("app")
        app.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("hosting", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="hostapplication",
            options={"ordering": ["created_at", "pk"]},
        ),
        migrations.AlterModelOptions(
            name="invitation",
            options={"ordering": ["-created_at"]},
        ),
        migrations.AddField(
            model_name="hostapplication",
            name="public_id",
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AddField(
            model_name="invitation",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
