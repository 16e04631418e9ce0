"""Background tasks shared by every app. `opencity worker` (and `opencity serve`) run them from the database queue."""

from django.apps import apps
from django.core.mail import EmailMessage
from django_tasks import task


def still_true(guard: dict | None) -> bool:
    """Whether the state an email was written about still holds when the worker runs it.

    `guard` is {"model": "app_label.Model", "pk": 1, "field": "status", "values": ["submitted", …]}: the
    row is re-read and the email goes out only while `field` is one of `values` (an email saying "waits
    for your approval" about an expense paid since is dropped). No guard: always true.
    """
    if not guard:
        return True
    model = apps.get_model(guard["model"])
    current = model.objects.filter(pk=guard["pk"]).values_list(guard["field"], flat=True).first()
    return current is not None and current in guard["values"]


@task()
def send_email(
    *,
    subject: str,
    body: str,
    to: list[str],
    attachments: list[tuple[str, bytes, str]] | None = None,
    guard: dict | None = None,
):
    """Send one email from the queue, so a slow SMTP server never slows a web request.

    Attachments are (filename, content as latin-1 str of bytes, mimetype) because task arguments are JSON.
    With a `guard` (see `still_true`), an email about a state that has changed since it was queued is
    dropped, not sent stale; the task then returns 0.
    """
    if not still_true(guard):
        return 0
    message = EmailMessage(subject=subject, body=body, to=to)
    for name, content, mimetype in attachments or []:
        message.attach(name, content.encode("latin-1") if isinstance(content, str) else content, mimetype)
    return message.send()
