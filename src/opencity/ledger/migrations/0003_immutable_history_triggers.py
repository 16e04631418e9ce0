from django.db import migrations

from opencity.ledger.dbguard import install_triggers, remove_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_remove_transfer_ledger_tran_debit_a_742515_idx_and_more"),
    ]

    operations = [migrations.RunPython(install_triggers, remove_triggers, elidable=False)]
