import csv
import io

import pytest

from opencity.community.models import AccessLog, Interaction, Member, Person
from opencity.contributions import identity
from tests.community.helpers import consent, register
from tests.conftest import make_collective, make_host, make_user
from tests.contributions.helpers import give

pytestmark = pytest.mark.django_db


def test_one_person_for_three_events_and_a_gift_with_four_interactions(host):
    a, b, c, d = (make_collective(host) for _ in range(4))
    user = make_user("Lina@Example.org", name="Lina")
    person = user.person
    for collective, ev in ((a, "evt_a"), (b, "evt_b"), (c, "evt_c")):
        register(person_for := Person.objects.get(email__iexact="LINA@example.org"), collective, ev)
        assert person_for.pk == person.pk
    give(d, email="lina@example.org", user=user)
    assert Person.objects.filter(email__iexact="lina@example.org").count() == 1
    kinds = sorted(Interaction.objects.filter(person=person).values_list("kind", "collective_id"))
    assert kinds == sorted(
        [("registration", a.pk), ("registration", b.pk), ("registration", c.pk), ("contribution", d.pk)]
    )
    assert Member.objects.filter(person=person, host=host).count() == 1


def test_recording_the_same_interaction_twice_is_once(host, collective):
    person = make_user().person
    register(person, collective, "evt_x")
    register(person, collective, "evt_x")
    assert Interaction.objects.filter(person=person).count() == 1


def test_a_guest_gift_joins_the_history_only_when_confirmed(collective):
    victim = make_user("victim@example.org", name="Victim")
    c = give(collective, email="victim@example.org", name="Mallory")
    assert not Interaction.objects.filter(person=victim.person).exists()
    identity.contribution_confirm_identity(contribution=c, token=identity.identity_confirm_token(c))
    assert Interaction.objects.filter(person=victim.person, kind="contribution").count() == 1


def test_keep_informed_is_confirmed_by_the_emailed_link_only(
    client, collective, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        give(collective, email="new@example.org", name="New", keep_informed=True)
    person = Person.objects.get(email="new@example.org")
    consent_row = person.consents.get()
    assert "keep me informed" in consent_row.wording.lower() and consent_row.confirmed_at is None
    assert not Member.objects.filter(person=person, consenting=True).exists()
    link = next(w for m in mailoutbox for w in m.body.split() if "/people/consent/" in w)
    path = link[link.index("/people/") :]
    assert client.post(path + "x").status_code == 400  # edited link
    assert client.post(path).status_code == 200
    consent_row.refresh_from_db()
    assert consent_row.confirmed_at is not None
    assert Member.objects.get(person=person, host=collective.host).consenting


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_export_has_consenting_people_only_and_is_logged(client, host, collective):
    yes, no = make_user("yes@example.org").person, make_user("no@example.org").person
    for p in (yes, no):
        register(p, collective, "evt_1")
    consent(yes, host)
    admin = host.admins.first()
    client.force_login(admin)
    rows = _csv(client.get(f"/{host.slug}/community.csv?consent=no"))
    emails = [r[1] for r in rows[1:]]
    assert emails == ["yes@example.org"]
    assert AccessLog.objects.filter(person=yes, action="export", by=admin).count() == 1
    assert not AccessLog.objects.filter(person=no, action="export").exists()


def test_community_page_filters_and_logs_views(client, host, collective):
    from opencity.community import services

    p = make_user("fr@example.org", name="Francophone").person
    register(p, collective, "evt_1")
    services.person_update_profile(
        person=p, host=host, languages=["fr"], commune="ixelles", interests=["Food"], skills=["Design"]
    )
    q = make_user("nl@example.org", name="Nederlandstalig").person
    register(q, collective, "evt_2")
    client.force_login(host.admins.first())
    body = client.get(f"/{host.slug}/community?language=fr&commune=ixelles").content.decode()
    assert "Francophone" in body and "Nederlandstalig" not in body
    skill = p.tags.get(kind="skill")
    body = client.get(f"/{host.slug}/community?skill={skill.pk}").content.decode()
    assert "Francophone" in body and "Nederlandstalig" not in body
    body = client.get(f"/{host.slug}/community?event=evt_2").content.decode()
    assert "Nederlandstalig" in body and "Francophone" not in body
    assert AccessLog.objects.filter(person=p, action="view").count() == 2
    assert client.get(f"/{host.slug}/community?last_seen_from=nonsense").status_code == 400


def _people(host, collective, n):
    for _ in range(n):
        register(make_user().person, collective, "evt_q")


def test_community_page_query_count_is_constant(client, host, collective, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(host.admins.first())
    _people(host, collective, 3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/{host.slug}/community").status_code == 200
    _people(host, collective, 30)
    with CaptureQueriesContext(connection) as large:
        assert client.get(f"/{host.slug}/community").status_code == 200
    assert len(large) == len(small)


def test_access_control(client, host, collective):
    other = make_collective(host)
    only_other = make_user("only-other@example.org", name="OnlyOther").person
    register(only_other, other, "evt_o")
    mine = make_user("mine@example.org", name="MinePerson").person
    register(mine, collective, "evt_m")
    consent(only_other, host)
    consent(mine, host)
    # a collective admin sees their own collective's people only
    client.force_login(collective.admins.first())
    body = client.get(f"/{collective.slug}/community").content.decode()
    assert "MinePerson" in body and "OnlyOther" not in body
    rows = _csv(client.get(f"/{collective.slug}/community.csv"))
    assert [r[1] for r in rows[1:]] == ["mine@example.org"]
    assert client.get(f"/{host.slug}/community").status_code == 403
    assert client.get(f"/{other.slug}/community").status_code == 403
    # another host's admin: nothing
    stranger_host = make_host()
    client.force_login(stranger_host.admins.first())
    for slug in (host.slug, collective.slug):
        assert client.get(f"/{slug}/community").status_code == 403
        assert client.get(f"/{slug}/community.csv").status_code == 403
    # anonymous: the login page
    client.logout()
    for path in (f"/{host.slug}/community", f"/{host.slug}/community.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login" in response["Location"]
