"""Background work of the community database: mailings. `opencity worker` runs them."""

from __future__ import annotations

from django_tasks import task


@task()
def send_mailing(*, mailing_id: int) -> int:
    from opencity.community.mailings import mailing_send

    return mailing_send(mailing_id=mailing_id)
