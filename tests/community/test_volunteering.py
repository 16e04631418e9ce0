"""Volunteering (issue 13, point 5 and 8): post, list across the host, sign up, decide, message, suggest."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from opencity.community import volunteering
from opencity.community.models import AccessLog, Interaction, Mailing, Opportunity, Person, SignUp
from opencity.community.services import person_update_profile
from opencity.stories.permissions import is_writer
from tests.community.helpers import consent, last_link, register
from tests.conftest import make_collective, make_host, make_user

pytestmark = pytest.mark.django_db


def _post(client, collective, **data):
    form = {"title": "Repair bikes", "people_needed": "3", "skills": "Mechanics, Welding", **data}
    return client.post(f"/{collective.slug}/volunteering", form)


def test_a_collective_posts_an_opportunity_and_volunteer_lists_open_ones_across_the_host(client, host, collective):
    other_host = make_host()
    other = make_collective(other_host)
    client.force_login(collective.admins.first())
    assert _post(client, collective, commune="ixelles").status_code == 302
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    _post(client, collective, title="Cook soup", skills="Cooking", date=tomorrow)
    assert _post(client, collective, title="", people_needed="0").status_code == 400  # nothing created
    o = Opportunity.objects.get(title="Repair bikes")
    assert (o.collective, o.people_needed, o.date, o.commune) == (collective, 3, None, "ixelles")
    assert sorted(o.skills.values_list("name", flat=True)) == ["Mechanics", "Welding"]
    volunteering.opportunity_create(host=other_host, collective=other, by=None, title="Garden in Gent")
    past = volunteering.opportunity_create(
        host=host, collective=collective, by=None, title="Yesterday", date=timezone.localdate() - dt.timedelta(days=1)
    )
    closed = volunteering.opportunity_create(host=host, collective=collective, by=None, title="Closed one")
    Opportunity.objects.filter(pk=closed.pk).update(status="closed")
    client.logout()

    def titles(query=""):
        body = client.get("/volunteer" + query).content.decode()
        return {t for t in ("Repair bikes", "Cook soup", "Garden in Gent", past.title, "Closed one") if t in body}

    assert titles() == {"Repair bikes", "Cook soup", "Garden in Gent"}  # every host's, open and not past
    assert titles("?skill=cooking") == {"Cook soup"}
    assert titles("?commune=ixelles") == {"Repair bikes"}
    assert titles("?when=dated") == {"Cook soup"}
    assert titles("?when=ongoing") == {"Repair bikes", "Garden in Gent"}
    assert titles("?q=bikes") == {"Repair bikes"}
    assert titles(f"?host={other_host.slug}") == {"Garden in Gent"}
    assert "Write a story" in client.get("/volunteer").content.decode()  # every host's standing opportunity


def test_signing_up_with_an_account_is_proven_and_a_double_submit_is_one(client, host, collective):
    o = volunteering.opportunity_create(host=host, collective=collective, by=None, title="Paint")
    user = make_user("vol@example.org", name="Vola")
    client.force_login(user)
    for _ in range(2):
        assert client.post(f"/volunteer/{o.public_id}", {"message": "I can help"}).status_code == 302
    signup = SignUp.objects.get(opportunity=o)
    assert signup.email_verified and signup.person == user.person and signup.message == "I can help"
    assert Interaction.objects.filter(person=user.person, kind="volunteer", collective=collective).count() == 1


def test_a_guest_s_sign_up_form_puts_the_consent_box_before_its_words_and_keeps_what_was_typed(
    client, host, collective
):
    o = volunteering.opportunity_create(host=host, collective=collective, by=None, title="Paint")
    page = client.get(f"/fr/volunteer/{o.public_id}").content.decode()
    form = page[page.index('<form method="post" class="stack">') :]
    assert form.index('name="keep_informed"') < form.index("Tenez-moi informé")  # the box, then its words
    assert form.index('name="name"') < form.index('name="email"') < form.index('name="message"')
    r = client.post(f"/fr/volunteer/{o.public_id}", {"name": "Gus Guest", "email": "gus@", "message": "Samedi"})
    page = r.content.decode()
    assert r.status_code == 400 and "Saisissez une adresse e-mail valide." in page
    assert 'value="Gus Guest"' in page and "Samedi</textarea>" in page
    assert not SignUp.objects.filter(opportunity=o).exists()


def test_a_guest_signs_up_then_confirms_by_email_and_a_double_submit_is_one(
    client, host, collective, mailoutbox, django_capture_on_commit_callbacks
):
    o = volunteering.opportunity_create(host=host, collective=collective, by=None, title="Paint")
    form = {"name": "Gus Guest", "email": "Gus@Example.org", "keep_informed": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        responses = [client.post(f"/fr/volunteer/{o.public_id}", form) for _ in range(2)]
    assert [r.status_code for r in responses] == [302, 302]
    assert len([m for m in mailoutbox if "/volunteer/confirm/" in m.body]) == 1  # one sign-up, one link
    signup = SignUp.objects.get(opportunity=o)
    person = Person.objects.get(email="gus@example.org")
    assert not signup.email_verified and signup.language == "fr"
    assert not Interaction.objects.filter(person=person).exists()  # an address typed in a form proves nothing
    consent_row = person.consents.get()  # the box: its wording as shown (in French), waiting for its link
    assert consent_row.confirmed_at is None and consent_row.language == "fr" and host.name in consent_row.wording
    path = last_link("/volunteer/confirm/")
    assert client.get(path + "x").status_code == 400
    for _ in range(2):
        assert client.get(path).status_code == 302
    signup.refresh_from_db()
    assert signup.email_verified
    assert Interaction.objects.filter(person=person, kind="volunteer").count() == 1
    assert client.post(f"/volunteer/{o.public_id}", {"name": "", "email": "bad"}).status_code == 400


def _signed_up(host, collective, email, name, language=""):
    o = volunteering.opportunity_create(host=host, collective=collective, by=None, title="Paint the school")
    user = make_user(email, name=name)
    Person.objects.filter(pk=user.person.pk).update(language=language)
    return o, volunteering.signup_create(opportunity=o, name="", email="", user=user, language=language)


def test_the_collective_admin_sees_confirms_and_declines_and_the_volunteer_is_told_in_their_language(
    client, host, collective, django_capture_on_commit_callbacks
):
    o, fr = _signed_up(host, collective, "fr@example.org", "Françoise", language="fr")
    nl = volunteering.signup_create(
        opportunity=o, name="", email="", user=make_user("nl@x.org", name="Nora"), language="nl"
    )
    admin = collective.admins.first()
    client.force_login(admin)
    body = client.get(f"/{collective.slug}/volunteering").content.decode()
    assert "Françoise" in body and "Nora" in body
    assert AccessLog.objects.filter(person=fr.person, by=admin, action="view").count() == 1  # the person sees it
    mail.outbox.clear()
    url = f"/{collective.slug}/volunteering/signups/%s/decide"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url % fr.public_id, {"decision": "confirm"}).status_code == 302
        client.post(url % fr.public_id, {"decision": "confirm"})  # twice: one email
        client.post(url % nl.public_id, {"decision": "decline"})
    fr.refresh_from_db(), nl.refresh_from_db()
    assert (fr.status, nl.status) == ("confirmed", "declined")
    by_to = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 2
    assert by_to["fr@example.org"].subject.startswith("Vous êtes confirmé")
    assert "Paint the school" in by_to["fr@example.org"].subject and "/people/me/" in by_to["fr@example.org"].body
    assert by_to["nl@x.org"].subject.startswith("Over uw aanmelding")


def test_the_admin_messages_a_volunteer_and_nobody_else_may(client, host, collective, mailoutbox):
    o, signup = _signed_up(host, collective, "vol@example.org", "Vola")
    admin = collective.admins.first()
    url = f"/{collective.slug}/volunteering/signups/{signup.public_id}/message"
    other_admin = make_collective(host).admins.first()
    client.force_login(other_admin)
    assert client.post(url, {"subject": "Hi", "body": "x"}).status_code == 403
    other_slug_url = url.replace(collective.slug, make_collective(host, admin=other_admin).slug)
    assert client.post(other_slug_url, {"subject": "Hi", "body": "x"}).status_code == 404
    assert client.get(f"/{collective.slug}/volunteering").status_code == 403
    assert mailoutbox == []
    client.force_login(admin)
    assert client.post(url, {"subject": "Saturday", "body": "Bring gloves"}).status_code == 302
    (message,) = mailoutbox
    assert message.to == ["vol@example.org"] and message.reply_to == [admin.email]
    assert "Bring gloves" in message.body and "List-Unsubscribe" in message.extra_headers
    client.logout()
    assert "/accounts/login" in client.post(url, {"subject": "Hi", "body": "x"})["Location"]


def test_a_host_admin_suggests_an_opportunity_to_consenting_people_whose_skills_match_each_once(
    client, host, collective, django_capture_on_commit_callbacks
):
    o = volunteering.opportunity_create(
        host=host, collective=collective, by=None, title="Fix bikes", skills=["Mechanics"]
    )
    people = {}
    for key, skills, consents in (
        ("match", ["mechanics"], True),  # the same skill, typed in another case: one tag
        ("nomatch", ["Cooking"], True),
        ("noconsent", ["Mechanics"], False),
    ):
        p = make_user(f"{key}@example.org").person
        register(p, collective, "evt_s")
        person_update_profile(person=p, host=host, languages=[], commune="", interests=[], skills=skills)
        if consents:
            consent(p, host)
        people[key] = p
    client.force_login(collective.admins.first())  # a collective admin may not
    assert client.post(f"/{host.slug}/volunteering/{o.public_id}/suggest").status_code == 403
    client.force_login(host.admins.first())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/{host.slug}/volunteering/{o.public_id}/suggest").status_code == 302
    assert [m.to[0] for m in mail.outbox] == ["match@example.org"]
    assert o.public_id in mail.outbox[0].body
    late = make_user("late@example.org").person
    register(late, collective, "evt_s")
    person_update_profile(person=late, host=host, languages=[], commune="", interests=[], skills=["Mechanics"])
    consent(late, host)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/{host.slug}/volunteering/{o.public_id}/suggest")  # again: only the one not told yet
        client.post(f"/{host.slug}/volunteering/{o.public_id}/suggest")  # and again: nobody new, no mailing
    assert [m.to[0] for m in mail.outbox] == ["late@example.org"]
    assert Mailing.objects.filter(opportunity=o).count() == 2


def test_write_a_story_is_a_standing_host_opportunity_leading_to_the_writing_flow(
    client, host, collective, django_capture_on_commit_callbacks
):
    story = Opportunity.objects.get(host=host, standing="story")  # every host has it from its creation
    assert volunteering.story_opportunity_ensure(host=host) == story
    page = client.get(f"/volunteer/{story.public_id}").content.decode()
    assert f"/{host.slug}/stories" in page
    writer = make_user("writer@example.org", name="Wren Writer")
    client.force_login(writer)
    client.post(f"/volunteer/{story.public_id}", {"message": "I write in Arabic"})
    signup = SignUp.objects.get(opportunity=story)
    assert not is_writer(writer, host)
    assert client.get(f"/{collective.slug}/updates/new").status_code == 404
    client.force_login(host.admins.first())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/{host.slug}/volunteering/signups/{signup.public_id}/decide", {"decision": "confirm"})
    assert is_writer(writer, host)
    assert f"/{host.slug}/stories" in mail.outbox[0].body
    client.force_login(writer)
    assert client.get(f"/{collective.slug}/updates/new").status_code == 200  # the stories writing flow
    assert "Start writing" in client.get(f"/volunteer/{story.public_id}").content.decode()
