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

    from opencity.expenses import approvals
    from tests.expenses.conftest import approved, make_collective, make_host, make_user, submit

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    collective = make_collective(make_host())
    submitter = make_user(name="Sam Submitter")
    stale = submit(collective, submitter, title="Paint for the stale mural")
    fresh = approved(collective, submitter, title="Flyers still waiting")
    approvals.expense_approve(expense=stale, by=collective.admins.first())
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


@pytest.mark.django_db(transaction=True)
def test_serve_runs_a_worker_that_sends_queued_email_and_stops_it_on_exit(settings, tmp_path):
    import os
    import re

    from tests.serving import serve

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with serve(tmp_path) as served:
        send_email.enqueue(subject="Sent by serve's worker", body="Hello", to=["a@example.org"])
        assert "Sent by serve's worker" in served.wait_for_mail(30)
    assert served.proc.returncode is not None
    assert "with a task worker" in served.output
    # The worker was a child that exited with the server: nothing is left behind.
    pid = int(re.search(r"task worker \(pid (\d+)\)", served.output).group(1))
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.django_db(transaction=True)
def test_serve_no_worker_leaves_the_queue_alone(settings, tmp_path):
    from tests.serving import serve

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with serve(tmp_path, "--no-worker") as served:
        result = send_email.enqueue(subject="Nobody sends me", body="Hello", to=["a@example.org"])
        assert served.wait_for_mail(5) == ""
        assert DBTaskResult.objects.get(id=result.id).status == "READY"
    assert "no task worker" in served.output


@pytest.mark.django_db(transaction=True)
def test_serve_links_to_its_own_port_unless_site_url_is_set(tmp_path):
    """`make run PORT=8301`: the links the site writes (emails, feeds) lead to that server, not to :8000."""
    import urllib.request

    from tests.conftest import make_collective, make_host
    from tests.serving import serve

    collective = make_collective(make_host())
    with serve(tmp_path, "--no-worker", drop=("SITE_URL",)) as served:
        feed = urllib.request.urlopen(f"{served.url}/{collective.slug}/updates.atom", timeout=10).read().decode()
    assert f'href="{served.url}/{collective.slug}/' in feed


@pytest.mark.django_db
def test_a_past_due_email_about_a_membership_renewed_since_is_dropped(settings, mailoutbox):
    """The task re-reads the membership when it runs: active again means no "could not be renewed" email."""
    from opencity.contributions import services
    from opencity.contributions.models import RecurringContribution, Tier
    from opencity.contributions.tasks import send_recurring_email
    from tests.conftest import make_collective, make_host
    from tests.contributions.helpers import give

    settings.DEMO_MODE = True
    collective = make_collective(make_host())
    tier = services.tier_create(
        collective=collective,
        by=collective.admins.first(),
        name="Member",
        type=Tier.Type.MEMBERSHIP,
        amount_type=Tier.AmountType.FIXED,
        amount=1000,
        interval="month",
    )
    rec = give(collective, amount=None, tier=tier.slug).recurring
    assert rec.status == "active"
    mailoutbox.clear()
    send_recurring_email.call(recurring_id=rec.pk, kind="past_due")
    assert mailoutbox == []
    RecurringContribution.objects.filter(pk=rec.pk).update(status="past_due")
    send_recurring_email.call(recurring_id=rec.pk, kind="past_due")
    assert len(mailoutbox) == 1


def test_waiting_for_mail_skips_a_file_the_worker_is_still_writing(tmp_path):
    """The file backend creates the file before it writes the message: read in between, it is empty. The wait
    must not take that for the email (a flaky CI run once did)."""
    import threading

    from django.core.mail import EmailMessage
    from django.core.mail.backends.filebased import EmailBackend

    from tests.serving import Served

    mail = tmp_path / "mail"
    mail.mkdir()
    backend = EmailBackend(file_path=str(mail))
    backend.open()  # the file now exists, empty

    def finish():
        backend.send_messages([EmailMessage(subject="Written late", body="Hello", to=["a@example.org"])])
        backend.close()

    timer = threading.Timer(1.0, finish)
    timer.start()
    try:
        assert "Written late" in Served(proc=None, url="", mail=mail).wait_for_mail(30)
    finally:
        timer.join()
