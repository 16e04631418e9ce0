"""Stories: versions per language, sanitised Markdown, images by content, scheduling, approval, visibility."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opencity.core.errors import PermissionDenied, ValidationFailed
from opencity.stories import services
from opencity.stories.models import Story, StoryEvent
from tests.conftest import make_collective, make_user
from tests.contributions.helpers import give
from tests.stories.conftest import write

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)

pytestmark = pytest.mark.django_db


def test_story_in_two_languages_published_everywhere(client, collective, host):
    story = write(collective, language="nl", title="Onze eerste oogst", body="We plukten appels.")
    services.story_set_version(
        story=story, by=collective.admins.first(), language="fr", title="Notre première récolte", body="Des pommes."
    )
    assert client.get(f"/{collective.slug}/updates").content.count(b"Onze eerste oogst") == 0  # a draft
    services.story_publish(story=story, by=collective.admins.first())
    assert story.versions.count() == 2
    for url in [f"/{collective.slug}/", f"/{collective.slug}/updates", f"/{host.slug}/stories"]:
        assert "Onze eerste oogst" in client.get("/nl" + url).content.decode(), url
    page = client.get(f"/{collective.slug}/updates/{story.public_id}/in/fr").content.decode()
    assert "Notre première récolte" in page and 'lang="fr"' in page
    assert f"/{collective.slug}/updates/{story.public_id}/in/nl" in page  # the switch to the other version
    assert client.get(f"/{collective.slug}/updates/{story.public_id}/in/ar").status_code == 404
    assert list(StoryEvent.objects.filter(story=story).values_list("to_status", flat=True)) == ["draft", "published"]


def test_host_stories_filter_by_language_theme_and_commune(client, host):
    a = make_collective(host, commune="ixelles")
    b = make_collective(host, commune="schaerbeek")
    services.story_publish(story=write(a, language="fr", title="Fête à Ixelles", theme="event"), by=a.admins.first())
    services.story_publish(story=write(b, language="nl", title="Nieuws uit Schaarbeek"), by=b.admins.first())
    page = lambda q: client.get(f"/{host.slug}/stories?{q}").content.decode()  # noqa: E731
    assert "Fête à Ixelles" in page("language=fr") and "Nieuws uit Schaarbeek" not in page("language=fr")
    assert "Fête à Ixelles" in page("theme=event") and "Nieuws uit Schaarbeek" not in page("theme=event")
    assert "Nieuws uit Schaarbeek" in page("commune=schaerbeek") and "Fête à Ixelles" not in page("commune=schaerbeek")


def test_markdown_is_sanitised(client, collective):
    story = write(
        collective, body="Hello <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    services.story_publish(story=story, by=collective.admins.first())
    html = client.get(f"/{collective.slug}/updates/{story.public_id}").content.decode()
    body = html.split('class="prose">', 1)[1].split("</div>", 1)[0]
    assert "<script" not in body and 'href="javascript' not in body and "<img" not in body
    assert "&lt;script&gt;" in body  # shown as text, never run


def test_image_is_checked_by_its_content(collective):
    story = write(collective, image=SimpleUploadedFile("photo.html", PNG, content_type="text/html"))
    assert story.image_type == "image/png" and story.image.name.endswith(".png")
    with pytest.raises(ValidationFailed) as exc:
        write(collective, image=SimpleUploadedFile("photo.png", b"<html><script>x</script>", content_type="image/png"))
    assert exc.value.code == "image_type"
    assert Story.objects.filter(collective=collective).count() == 1  # nothing saved for the refused one


def test_bad_input_is_refused_with_nothing_saved(collective):
    for kw, code in [
        ({"title": " "}, "title_required"),
        ({"language": "de"}, "language"),
        ({"body": ""}, "body_required"),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            write(collective, **kw)
        assert exc.value.code == code
    assert not Story.objects.exists()


def test_scheduled_story_is_invisible_until_its_time_then_emailed_once(client, collective, follower, clock, mailoutbox):
    from opencity.stories.tasks import deliver_due

    story = write(collective)
    at = clock.now + __import__("datetime").timedelta(hours=2)
    services.story_publish(story=story, by=collective.admins.first(), at=at)
    assert client.get(f"/{collective.slug}/updates/{story.public_id}").status_code == 404
    assert "Our first harvest" not in client.get(f"/{collective.slug}/updates").content.decode()
    assert "Our first harvest" not in client.get(f"/{collective.slug}/updates.atom").content.decode()
    deliver_due.enqueue()
    assert mailoutbox == []
    clock.advance(hours=2, seconds=1)
    assert client.get(f"/{collective.slug}/updates/{story.public_id}").status_code == 200
    deliver_due.enqueue()
    deliver_due.enqueue()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["follower@example.org"]


def test_story_email_in_the_followers_language_with_unsubscribe(
    client, collective, follower, mailoutbox, django_capture_on_commit_callbacks
):
    fr_follower = make_user("lecteur@example.org")
    services.follow(collective=collective, user=fr_follower, language="fr")
    story = write(collective, language="en", title="Harvest")
    services.story_set_version(story=story, by=collective.admins.first(), language="nl", title="Oogst", body="Appels.")
    with django_capture_on_commit_callbacks(execute=True):
        services.story_publish(story=story, by=collective.admins.first())
    by_to = {m.to[0]: m for m in mailoutbox}
    assert set(by_to) == {"follower@example.org", "lecteur@example.org"}
    assert "Oogst" in by_to["follower@example.org"].subject and "Appels." in by_to["follower@example.org"].body
    assert "Harvest" in by_to["lecteur@example.org"].subject  # no French version: the first one written
    assert "Arrêter ces e-mails" in by_to["lecteur@example.org"].body
    link = by_to["follower@example.org"].extra_headers["List-Unsubscribe"].strip("<>")
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.post("/" + path).status_code == 200
    assert not collective.follows.filter(user=follower).exists()


def test_two_workers_send_each_email_once(collective, follower, mailoutbox, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from opencity.stories.emails import deliver

    story = write(collective)
    services.story_publish(story=story, by=collective.admins.first())
    assert deliver(story_id=story.pk) + deliver(story_id=story.pk) == 1
    assert len(mailoutbox) == 1


def test_volunteer_writer_needs_approval(client, collective, host):
    volunteer = make_user("writer@example.org")
    with pytest.raises(PermissionDenied):
        write(collective, by=volunteer)
    services.writer_invite(host=host, by=host.admins.first(), user=volunteer)
    story = write(collective, by=volunteer, title="A volunteer's view")
    story = services.story_publish(story=story, by=volunteer)
    assert story.status == Story.Status.PENDING and story.by_volunteer
    assert client.get(f"/{collective.slug}/updates/{story.public_id}").status_code == 404
    with pytest.raises(PermissionDenied):
        services.story_approve(story=story, by=make_user())
    services.story_approve(story=story, by=collective.admins.first())
    assert "A volunteer" in client.get(f"/{collective.slug}/updates").content.decode()


def test_contributors_only_story(client, collective, follower, mailoutbox, django_capture_on_commit_callbacks):
    giver = make_user("giver@example.org")
    services.follow(collective=collective, user=giver, language="en")
    give(collective, email="giver@example.org", user=giver)
    mailoutbox.clear()
    story = write(collective, title="For our members", visibility="contributors")
    with django_capture_on_commit_callbacks(execute=True):
        services.story_publish(story=story, by=collective.admins.first())
    assert [m.to for m in mailoutbox] == [["giver@example.org"]]
    assert client.get(f"/{collective.slug}/updates/{story.public_id}").status_code == 404
    assert "For our members" not in client.get(f"/{collective.slug}/updates.atom").content.decode()
    client.force_login(giver)
    assert client.get(f"/{collective.slug}/updates/{story.public_id}").status_code == 200


def test_follow_page_flow_and_double_click(client, collective):
    user = make_user()
    assert client.post(f"/{collective.slug}/follow").status_code == 302
    assert not collective.follows.exists()
    client.force_login(user)
    client.post(f"/{collective.slug}/follow", HTTP_ACCEPT_LANGUAGE="fr")
    client.post(f"/{collective.slug}/follow", HTTP_ACCEPT_LANGUAGE="fr")
    assert collective.follows.get().user == user


def test_write_from_the_page(client, collective):
    client.force_login(collective.admins.first())
    r = client.post(
        f"/{collective.slug}/updates/new",
        {
            "language": "en",
            "title": "Page story",
            "body": "Text",
            "theme": "news",
            "visibility": "public",
            "action": "publish",
            "image": io.BytesIO(PNG),
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Story.objects.get().status == "published"


def test_consenting_people_of_the_collective_get_it_once_in_their_language(
    client, collective, follower, mailoutbox, django_capture_on_commit_callbacks
):
    """Issue 14: with the community database, people who consented to hear from the host and took part in this
    collective get its stories too — in their language, once, with a link that withdraws the consent."""
    from opencity.community import services as community
    from opencity.community import tokens
    from opencity.community.models import Member
    from opencity.stories.emails import deliver
    from tests.conftest import make_collective

    host = collective.host

    def person(email, *, language="fr", consent=True, took_part_in=collective):
        p = community.person_find_or_create(email=email, name=email.split("@")[0], language=language)
        if took_part_in is not None:
            community.interaction_record(
                person=p, host=host, kind="contribution", source_ref=f"test-{email}", collective=took_part_in
            )
        if consent:
            c = community.consent_request(person=p, host=host)
            community.consent_confirm(token=tokens.make(tokens.CONSENT_SALT, c.pk, p.email))
        return p

    reader = person("lectrice@example.org")
    person("stranger@example.org", took_part_in=make_collective(host))  # consented, but another collective
    person("quiet@example.org", consent=False)  # took part, never agreed to be kept informed
    # The follower is also a consenting person of the collective: one email, the follower's.
    community.person_find_or_create(email="follower@example.org", user=follower)
    person("follower@example.org", language="en")
    mailoutbox.clear()  # the consent confirmations

    story = write(collective, language="en", title="Harvest")
    services.story_set_version(
        story=story, by=collective.admins.first(), language="fr", title="Récolte", body="Pommes."
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.story_publish(story=story, by=collective.admins.first())
    assert deliver(story_id=story.pk) == 0  # a second run sends nothing
    by_to = {m.to[0]: m for m in mailoutbox}
    assert sorted(m.to[0] for m in mailoutbox) == ["follower@example.org", "lectrice@example.org"]
    mail = by_to["lectrice@example.org"]
    assert "Récolte" in mail.subject and "Pommes." in mail.body and mail.extra_headers["Content-Language"] == "fr"
    assert host.name in mail.body and "Arrêter ces e-mails" in mail.body
    # Its stop link withdraws the consent: the next story does not reach her.
    link = mail.extra_headers["List-Unsubscribe"].strip("<>")
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    client.post(path)
    assert not Member.objects.get(host=host, person=reader).consenting
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.story_publish(story=write(collective, title="Second"), by=collective.admins.first())
    assert [m.to[0] for m in mailoutbox] == ["follower@example.org"]
