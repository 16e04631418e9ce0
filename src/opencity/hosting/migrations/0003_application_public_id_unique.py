import opencity.core.ids
from django.db import migrations, models


class Migration(migrations.Migration):
    """Separate from 0002 so PostgreSQL adds the unique index after the backfill transaction committed."""

    dependencies = [
        ("hosting", "0002_application_public_id_invitation_revoked"),
    ]

    operations = [
        migrations.AlterField(
            model_name="hostapplication",
            name="public_id",
            field=models.CharField(
                default=opencity.core.ids.PublicIdDefault("app"), editable=False, max_length=32, unique=True
            ),
        ),
    ]
