"""Background tasks shared by every app. `opencity worker` runs them from the database queue."""

from django.core.mail import EmailMessage
from django_tasks import task


@task()
def send_email(*, subject: str, body: str, to: list[str], attachments: list[tuple[str, bytes, str]] | None = None):
    """Send one email from the queue, so a slow SMTP server never slows a web request.

    Attachments are (filename, content as latin-1 str of bytes, mimetype) because task arguments are JSON.
    """
    message = EmailMessage(subject=subject, body=body, to=to)
    for name, content, mimetype in attachments or []:
        message.attach(name, content.encode("latin-1") if isinstance(content, str) else content, mimetype)
    return message.send()
