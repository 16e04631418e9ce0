"""The real queue: a task enqueued in the database is run by a separate `opencity worker` process."""

import pytest
from django_tasks_db.models import DBTaskResult

from opencity.core.tasks import send_email


@pytest.mark.django_db(transaction=True)
def test_worker_process_runs_enqueued_email(settings, cli_run):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = send_email.enqueue(subject="Queued hello", body="From the worker", to=["someone@example.org"])
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "READY"

    proc = cli_run("worker", "--batch", "--no-startup-delay")
    assert proc.returncode == 0, proc.stderr
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"
    assert "Queued hello" in proc.stdout  # the console email backend printed the message
