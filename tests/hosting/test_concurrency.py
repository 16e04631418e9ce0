"""Two people acting at the same moment: the row locks in the services keep the invariants."""

import threading

import pytest
from django.db import connection

from opencity.core.errors import DomainError
from opencity.hosting import services, team
from opencity.hosting.models import Collective, CollectiveAdmin, CollectiveSlugHistory, HostApplication
from tests.conftest import make_collective, make_host, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls):
    """Run the calls in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except DomainError as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_admins_removing_each_other_leave_one():
    host = make_host()
    collective = make_collective(host)
    first = collective.admins.get()
    second = make_user()
    services.collective_add_admin(collective=collective, user=second)
    results = _race(
        lambda: team.collective_remove_admin(collective=collective, by=first, user=second),
        lambda: team.collective_remove_admin(collective=collective, by=second, user=first),
    )
    assert CollectiveAdmin.objects.filter(collective=collective).count() == 1
    assert sum(isinstance(r, DomainError) for r in results) == 1


def test_approve_and_reject_at_once_decide_once():
    host = make_host()
    admin = host.admins.get()
    other_admin = make_user()
    services.host_add_admin(host=host, user=other_admin)
    collective = make_collective(host, active=False)
    application = collective.applications.get()
    results = _race(
        lambda: services.application_approve(application=application, by=admin),
        lambda: services.application_reject(application=application, by=other_admin, reason="No"),
    )
    assert sum(isinstance(r, DomainError) and r.code == "already_decided" for r in results) == 1
    application = HostApplication.objects.get(pk=application.pk)
    collective.refresh_from_db()
    assert (application.status, collective.status) in {("approved", "active"), ("rejected", "rejected")}


def test_an_invitation_is_used_once_even_by_two_people_at_once():
    """Two sessions of the invited person (a double click, two tabs) and a stranger at the same moment."""
    host = make_host()
    collective = make_collective(host)
    invitation = team.invitation_create(collective=collective, by=collective.admins.get(), email="x@example.org")
    invited, stranger = make_user("X@example.org"), make_user()
    results = _race(
        lambda: team.invitation_accept(token=invitation.token, user=invited),
        lambda: team.invitation_accept(token=invitation.token, user=invited),
        lambda: team.invitation_accept(token=invitation.token, user=stranger),
    )
    assert [isinstance(r, DomainError) for r in results] == [False, False, True]
    assert results[2].code in {"invitation_used", "invitation_wrong_account"}
    assert CollectiveAdmin.objects.filter(collective=collective, user=invited).count() == 1
    assert not collective.admins.filter(pk=stranger.pk).exists()


def test_two_collectives_taking_the_same_new_address_at_once():
    host = make_host()
    a, b = make_collective(host), make_collective(host)
    results = _race(
        lambda: services.collective_update(collective=a, by=a.admins.get(), slug="same-address"),
        lambda: services.collective_update(collective=b, by=b.admins.get(), slug="same-address"),
    )
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].code == "slug_taken"
    assert Collective.objects.filter(slug="same-address").count() == 1
    assert CollectiveSlugHistory.objects.count() == 1
