from django.db import migrations

from opencity.ledger.dbguard import install_host_triggers, remove_host_triggers


class Migration(migrations.Migration):
    """The currency of a host with ledger accounts cannot change (trigger on hosting_host)."""

    dependencies = [
        ("hosting", "0005_host_receipt_prefix"),
        ("ledger", "0007_account_identity_immutable"),
    ]

    operations = [migrations.RunPython(install_host_triggers, remove_host_triggers, elidable=False)]
