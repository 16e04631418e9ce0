"""Background work of the community database: mailings. `opencity worker` runs them."""

from __future__ import annotations

from django_tasks import task


@task()
def send_mailing(*, mailing_id: int) -> int:
    from opencity.community.mailings import mailing_send

    return mailing_send(mailing_id=mailing_id)


@task()
def send_data_link(*, email: str) -> int:
    """The your-data link, looked up and sent in the background: the page answers every address the same
    way and in the same time, so it cannot tell anyone whether we know an address."""
    from opencity.community import emails
    from opencity.community.models import Person

    person = Person.objects.filter(email__iexact=email, anonymised_at__isnull=True).first() if email else None
    return emails.send_data_link(person) if person is not None else 0
