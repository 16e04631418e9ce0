from django.db import migrations, models


def memberships(apps, schema_editor):
    Contribution = apps.get_model("contributions", "Contribution")
    Contribution.objects.exclude(interval="once").update(purpose="membership")


class Migration(migrations.Migration):
    dependencies = [("contributions", "0003_amount_refunded")]

    operations = [
        migrations.AddField(
            model_name="contribution",
            name="purpose",
            field=models.CharField(
                choices=[("gift", "Gift"), ("membership", "Membership"), ("ticket", "Tickets")],
                db_index=True,
                default="gift",
                max_length=12,
            ),
        ),
        migrations.RunPython(memberships, migrations.RunPython.noop),
    ]
