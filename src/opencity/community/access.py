"""The access log: every view or export of people's data by an admin, which each person can read."""

from __future__ import annotations

from django.utils import timezone

from opencity.community.models import AccessLog


def access_log_write(*, host, by, person_ids, action: str, reason: str = "") -> int:
    """One row per person shown or exported, in one insert."""
    now = timezone.now()
    rows = [
        AccessLog(person_id=pid, host=host, by=by, action=action, reason=reason[:300], at=now)
        for pid in dict.fromkeys(person_ids)
    ]
    AccessLog.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
