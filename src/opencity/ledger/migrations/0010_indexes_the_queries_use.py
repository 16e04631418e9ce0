"""Issue 15: indexes the pages, API and exports use, none that nothing uses (see the comments in models.py).

- Add journal_added_funds: the host's books page lists its latest added funds; with a million contribution
  journals the (host, effective_date) index reads them all to find a few. Partial: only added-funds journals
  pay for it on insert.
- Drop ledger_account.collective_id's own index: account_unique_collective_owner (collective, kind) serves
  every `collective = X`. Dropped by SQL (not AlterField) so that SQLite does not rebuild ledger_account,
  which would drop its dbguard triggers.
- Drop ledger_journal's LIKE twin of the unique public_id index (PostgreSQL only; varchar_pattern_ops):
  nothing searches journal ids by prefix, yet every journal insert paid for it. Django's state still
  believes it exists; its own later changes drop it with IF EXISTS.
"""

from django.db import migrations, models

ACCOUNT_COLLECTIVE_INDEX = "ledger_account_collective_id_290aa5eb"
JOURNAL_PUBLIC_ID_LIKE = "ledger_journal_public_id_e66ed84c_like"


def drop_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {JOURNAL_PUBLIC_ID_LIKE}")


def create_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {JOURNAL_PUBLIC_ID_LIKE} ON ledger_journal (public_id varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0009_merge_20261201_0730")]

    operations = [
        migrations.AddIndex(
            model_name="journal",
            index=models.Index(
                condition=models.Q(("kind", "added_funds"), ("reverses__isnull", True)),
                fields=["host", "-effective_date", "-id"],
                name="journal_added_funds",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="account",
                    name="collective",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="ledger_accounts",
                        to="hosting.collective",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {ACCOUNT_COLLECTIVE_INDEX}",
                    f"CREATE INDEX IF NOT EXISTS {ACCOUNT_COLLECTIVE_INDEX} ON ledger_account (collective_id)",
                ),
            ],
        ),
        migrations.RunPython(drop_like_index, create_like_index),
    ]
