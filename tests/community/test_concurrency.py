"""At the same moment: workers on one mailing, double sign-ups, two admins suggesting (PostgreSQL in CI)."""

from collections import Counter

import pytest
from django.core import mail

from opencity.community import volunteering
from opencity.community.mailings import mailing_create, mailing_send
from opencity.community.models import Person, SignUp
from opencity.community.selectors import PeopleFilter
from opencity.community.services import person_update_profile
from opencity.core.errors import DomainError
from opencity.hosting import services as hosting
from tests.community.helpers import consent, register
from tests.conftest import make_collective, make_host, make_user
from tests.hosting.test_concurrency import _race  # threads released together

pytestmark = pytest.mark.django_db(transaction=True)


def _consenting(host, collective, n, skills=()):
    people = []
    for _ in range(n):
        p = make_user().person
        register(p, collective, "evt_c")
        if skills:
            person_update_profile(person=p, host=host, languages=[], commune="", interests=[], skills=list(skills))
        consent(p, host)
        people.append(p)
    return people


def test_three_workers_on_one_mailing_send_each_message_once(settings):
    settings.COMMUNITY_MAIL_PAUSE = 0
    host = make_host()
    people = _consenting(host, make_collective(host), 6)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, not run inline
    mailing = mailing_create(host=host, by=None, subject="News", body="Hello", people=PeopleFilter())
    mail.outbox.clear()
    results = _race(*[lambda: mailing_send(mailing_id=mailing.pk, pause=0)] * 3)
    if sum(results) < 6:  # a worker that found the lease held left the rest to the holder's watchdog
        mailing_send(mailing_id=mailing.pk, pause=0)
    got = Counter(m.to[0] for m in mail.outbox)
    assert got == Counter({p.email: 1 for p in people})
    mailing.refresh_from_db()
    assert (mailing.status, mailing.sent_count) == ("sent", 6)


def test_a_double_submitted_guest_sign_up_is_one():
    host = make_host()
    o = volunteering.opportunity_create(host=host, collective=make_collective(host), by=None, title="Paint")

    def sign_up():
        return volunteering.signup_create(opportunity=o, name="Dee", email="dee@example.org").pk

    results = _race(sign_up, sign_up)
    assert results[0] == results[1] == SignUp.objects.get(opportunity=o).pk
    assert Person.objects.filter(email__iexact="dee@example.org").count() == 1


def test_two_admins_suggesting_at_once_tell_each_person_once(settings):
    settings.COMMUNITY_MAIL_PAUSE = 0
    host = make_host()
    collective = make_collective(host)
    second_admin = make_user()
    hosting.host_add_admin(host=host, user=second_admin)
    people = _consenting(host, collective, 3, skills=["Plumbing"])
    o = volunteering.opportunity_create(host=host, collective=collective, by=None, title="Pipes", skills=["Plumbing"])
    mail.outbox.clear()
    results = _race(
        lambda: volunteering.opportunity_suggest(opportunity=o, by=host.admins.first()),
        lambda: volunteering.opportunity_suggest(opportunity=o, by=second_admin),
    )
    assert sorted(r if isinstance(r, int) else 0 for r in results) == [0, 3]
    assert sum(isinstance(r, DomainError) for r in results) == 1  # "everyone was already told"
    assert Counter(m.to[0] for m in mail.outbox) == Counter({p.email: 1 for p in people})
