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


@pytest.mark.django_db(transaction=True)
def test_a_queued_status_email_about_a_state_that_changed_is_dropped_not_sent_stale(settings, cli_run):
    """'Waits for your approval' queued, the expense approved before the worker ran: the email is dropped."""
    from django_tasks.base import TaskResultStatus

    from opencity.expenses import services as expenses
    from tests.expenses.conftest import approved, make_collective, make_host, make_user, submit

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    collective = make_collective(make_host())
    submitter = make_user(name="Sam Submitter")
    stale = submit(collective, submitter, title="Paint for the stale mural")
    fresh = approved(collective, submitter, title="Flyers still waiting")
    expenses.expense_approve(expense=stale, by=collective.admins.first())
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()
    assert queued >= 3  # two "waits for your approval" emails and two "approved" ones, at least

    proc = cli_run("worker", "--batch", "--no-startup-delay")
    assert proc.returncode == 0, proc.stderr
    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    out = proc.stdout
    assert "New expense to approve: Paint for the stale mural" not in out  # approved since: dropped
    assert "Expense approved: Paint for the stale mural" in out
    assert "Expense approved: Flyers still waiting" in out
    assert fresh.status == "approved"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(tmp_path, *extra: str):
    """`opencity serve` through the real console script, emails written to files in tmp_path/mail."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{s['NAME']}"
    else:
        url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    mail = tmp_path / "mail"
    mail.mkdir()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "EMAIL_URL": f"file://{mail}", "OPENCITY_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "opencity.cli", "serve", "--port", str(port), "--workers", "1", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise AssertionError(proc.communicate()[0])
    return proc, mail


def _wait_for_mail(mail, seconds: float) -> str:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        files = sorted(mail.iterdir())
        if files:
            return files[0].read_text()
        time.sleep(0.3)
    return ""


@pytest.mark.django_db(transaction=True)
def test_serve_runs_a_worker_that_sends_queued_email_and_stops_it_on_exit(settings, tmp_path):
    import signal

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    proc, mail = _serve(tmp_path)
    try:
        send_email.enqueue(subject="Sent by serve's worker", body="Hello", to=["a@example.org"])
        text = _wait_for_mail(mail, 30)
        assert "Sent by serve's worker" in text
    finally:
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=30)[0]
    assert "with a task worker" in out
    assert proc.returncode is not None
    # The worker was a child that exited with the server: no process of this test is left behind.
    import re

    pid = int(re.search(r"task worker \(pid (\d+)\)", out).group(1))
    import os

    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.django_db(transaction=True)
def test_serve_no_worker_leaves_the_queue_alone(settings, tmp_path):
    import signal

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    proc, mail = _serve(tmp_path, "--no-worker")
    try:
        result = send_email.enqueue(subject="Nobody sends me", body="Hello", to=["a@example.org"])
        assert _wait_for_mail(mail, 5) == ""
        assert DBTaskResult.objects.get(id=result.id).status == "READY"
    finally:
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=30)[0]
    assert "no task worker" in out
