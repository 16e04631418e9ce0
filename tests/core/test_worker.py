"""The real queue: a task enqueued in the database is run by a separate `opencity worker` process."""

import os
import subprocess
import sys

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from opencity.core.tasks import send_email


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_worker_process_runs_enqueued_email(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = send_email.enqueue(subject="Queued hello", body="From the worker", to=["someone@example.org"])
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "READY"

    env = {**os.environ, "DATABASE_URL": _database_url(), "EMAIL_URL": ""}
    env.pop("EMAIL_URL")
    proc = subprocess.run(
        [sys.executable, "-m", "opencity.cli", "worker", "--batch", "--no-startup-delay"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"
    assert "Queued hello" in proc.stdout  # the console email backend printed the message
