"""Replace the free-text event reference by a link to the event (matched by title within the collective)."""

import django.db.models.deletion
from django.db import migrations, models


def link_by_title(apps, schema_editor):
    Expense = apps.get_model("expenses", "Expense")
    Event = apps.get_model("events", "Event")
    for expense in Expense.objects.exclude(event_ref="").iterator():
        event = (
            Event.objects.filter(collective_id=expense.collective_id, title__iexact=expense.event_ref.strip())
            .order_by("-starts_at")
            .first()
        )
        if event is not None:
            Expense.objects.filter(pk=expense.pk).update(event=event)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("expenses", "0002_expense_idempotency_key_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="expense",
            name="event",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="expenses",
                to="events.event",
                verbose_name="event",
            ),
        ),
        migrations.RunPython(link_by_title, migrations.RunPython.noop),
        migrations.RemoveField(model_name="expense", name="event_ref"),
    ]
