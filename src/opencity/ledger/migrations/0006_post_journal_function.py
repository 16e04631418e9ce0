from django.db import migrations

from opencity.ledger.migrations._pgpost_0006 import install_function_0006
from opencity.ledger.pgpost import remove_function


class Migration(migrations.Migration):
    """PostgreSQL only: `ledger_post_journal(…)`, the one-statement fast path of post_journal."""

    dependencies = [("ledger", "0005_unique_keys_without_like_indexes")]

    operations = [migrations.RunPython(install_function_0006, remove_function, elidable=False)]
