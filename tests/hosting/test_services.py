"""Hosting services and pages: bad input gives a clear message and saves nothing; emails; invitations."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from opencity.core.errors import Conflict, PermissionDenied, ValidationFailed
from opencity.hosting import services, slugs, team
from opencity.hosting.models import Collective, CollectiveAdmin, Host, Invitation
from tests.conftest import make_collective, make_host, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("Taken", "slug_taken"),
        ("TAKEN", "slug_taken"),
        ("api", "reserved_slug"),
        ("Admin", "reserved_slug"),
        ("static", "reserved_slug"),
        ("collectives", "reserved_slug"),
        ("no_underscores", "invalid_slug"),
    ],
)
def test_collective_create_refuses_bad_slug(host, slug, code):
    make_collective(host, slug="taken")
    before = Collective.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.collective_create(user=make_user(), host=host, name="Anything", slug=slug)
    assert exc.value.code == code and exc.value.field == "slug" and str(exc.value.message)
    assert Collective.objects.count() == before


def test_host_slug_shares_the_namespace(host):
    with pytest.raises(ValidationFailed) as exc:
        services.collective_create(user=make_user(), host=host, name="Copycat", slug=host.slug.upper())
    assert exc.value.code == "slug_taken"
    with pytest.raises(ValidationFailed):
        make_host(slug=host.profile.slug)


def test_slug_suggestion_is_free_and_readable(host):
    assert slugs.slug_suggest("Repair Café Ixelles") == "repair-cafe-ixelles"
    make_collective(host, slug="repair-cafe-ixelles")
    assert slugs.slug_suggest("Repair Café Ixelles") == "repair-cafe-ixelles-2"
    assert slugs.slug_suggest("API") == "api-2"  # reserved words are skipped
    assert slugs.slug_suggest("حديقة الحي") == "hdyqh-lhy"  # another script is transliterated
    assert slugs.slug_suggest("Сад") == "sad"
    assert slugs.slug_suggest("🌱🌱") == "initiative"  # nothing to write in Latin letters
    collective = services.collective_create(user=make_user(), host=host, name="Repair Café Ixelles")
    assert collective.slug == "repair-cafe-ixelles-2"


def test_create_needs_confirmed_email(host):
    with pytest.raises(PermissionDenied):
        services.collective_create(user=make_user(email_confirmed=False), host=host, name="Nope")
    assert not Collective.objects.filter(name="Nope").exists()


def test_create_is_idempotent_for_double_submit(host):
    user = make_user()
    first = services.collective_create(user=user, host=host, name="Twice", slug="twice")
    again = services.collective_create(user=user, host=host, name="Twice", slug="twice")
    assert again.pk == first.pk and first.applications.count() == 1
    with pytest.raises(ValidationFailed):  # someone else cannot "retry" into it
        services.collective_create(user=make_user(), host=host, name="Twice", slug="twice")


def test_application_emails_in_recipient_language(host, django_capture_on_commit_callbacks):
    organiser = make_user(preferred_language="fr")
    host_admin = host.admins.first()
    host_admin.preferred_language = "nl"
    host_admin.save()
    with django_capture_on_commit_callbacks(execute=True):
        collective = services.collective_create(user=organiser, host=host, name="Jardin", message="Bonjour & merci <3")
    received = mail.outbox[-1]
    assert received.to == [host_admin.email]
    assert "Nieuwe aanvraag" in received.subject
    assert f"/nl/{host.slug}/admin/applications" in received.body and "Bonjour & merci <3" in received.body
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(application=collective.applications.get(), by=host_admin, reason="Trop tôt")
    rejected = mail.outbox[-1]
    assert rejected.to == [organiser.email] and "Trop tôt" in rejected.body
    assert "n’a pas été acceptée" in rejected.subject or "pas" in rejected.subject


def test_approval_email_links_to_the_live_page(host, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        collective = make_collective(host)
    approved = mail.outbox[-1]
    assert approved.to == [collective.admins.first().email]
    assert f"/{collective.slug}/" in approved.body and collective.name in approved.subject


def test_host_update_validates_and_saves_nothing_on_error(host, host_admin):
    original = (host.iban, host.enterprise_number, host.legal_name)
    for field, value, code in [
        ("iban", "BE00 0000 0000 0000", "invalid_iban"),
        ("iban", "NL91ABNA0417164301", "invalid_iban"),  # bad check digits
        ("enterprise_number", "0123.456.789", "invalid_enterprise_number"),
        ("bic", "NOTABIC", "invalid_bic"),
        ("default_host_fee_percent", "51", "invalid_fee"),
        ("default_host_fee_percent", "abc", "invalid_fee"),
        ("languages", ["de"], "invalid_language"),
        ("membership_grace_days", -1, "invalid_grace"),
        ("legal_name", " ", "legal_name_required"),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            services.host_update(host=host, by=host_admin, **{"legal_name": "Changed", field: value})
        assert exc.value.code == code, field
    host.refresh_from_db()
    assert (host.iban, host.enterprise_number, host.legal_name) == original


def test_host_update_saves_normalised_values(host, host_admin):
    services.host_update(
        host=host,
        by=host_admin,
        iban="be68 5390 0754 7034",
        enterprise_number="BE 0403.170.701",
        bic="gkccbebb",
        default_host_fee_percent="6.5",
        expense_two_approvals_above=50000,
        languages=["nl", "fr"],
    )
    host.refresh_from_db()
    assert host.iban == "BE68539007547034" and host.enterprise_number == "0403170701" and host.bic == "GKCCBEBB"
    assert str(host.default_host_fee_percent) == "6.50" and host.expense_two_approvals_above == 50000
    assert host.languages == ["fr", "nl"]
    with pytest.raises(PermissionDenied):
        services.host_update(host=host, by=make_user(), legal_name="Hijack")


def test_host_settings_page_shows_clear_errors(client, host, host_admin):
    client.force_login(host_admin)
    data = {
        "legal_name": "BT",
        "default_host_fee_percent": "8",
        "membership_grace_days": "14",
        "iban": "BE68539007547035",
        "enterprise_number": "0403.170.701",
    }
    resp = client.post(f"/{host.slug}/admin/settings", data)
    assert resp.status_code == 200 and "is not a valid IBAN" in resp.content.decode()
    resp = client.post(f"/{host.slug}/admin/settings", {**data, "iban": "", "enterprise_number": "12345"})
    assert "is not a valid Belgian enterprise number" in resp.content.decode()
    host.refresh_from_db()
    assert host.legal_name != "BT"
    resp = client.post(
        f"/{host.slug}/admin/settings", {**data, "iban": "BE68539007547034", "expense_two_approvals_above": "1000.50"}
    )
    assert resp.status_code == 302
    host.refresh_from_db()
    assert host.legal_name == "BT" and host.expense_two_approvals_above == 100050
    page = client.get(f"/{host.slug}/admin/settings").content.decode()
    assert "1000.50" in page or "1000,50" in page


def test_collective_update_markdown_and_refusals(collective, collective_admin, client):
    services.collective_update(collective=collective, by=collective_admin, long_description="**Hi** <script>x</script>")
    html = client.get(f"/{collective.slug}/").content.decode()
    assert "<strong>Hi</strong>" in html and "<script>x" not in html
    with pytest.raises(ValidationFailed):
        services.collective_update(collective=collective, by=collective_admin, status="active")
    with pytest.raises(ValidationFailed):
        services.collective_update(collective=collective, by=collective_admin, category="weather")
    with pytest.raises(PermissionDenied):
        services.collective_update(collective=collective, by=make_user(), name="Mine")
    collective.refresh_from_db()
    assert collective.category != "weather" and collective.name != "Mine"


def test_invitation_flow(client, collective, collective_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = team.invitation_create(collective=collective, by=collective_admin, email="Friend@Example.org")
        again = team.invitation_create(collective=collective, by=collective_admin, email="friend@example.org")
    assert again.pk == invitation.pk and len(mail.outbox) == 1
    assert f"/invitations/{invitation.token}" in mail.outbox[0].body
    url = f"/invitations/{invitation.token}"
    assert "Log in" in client.get(url).content.decode()
    resp = client.post(url)
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    friend = make_user("friend@example.org")
    client.force_login(friend)
    resp = client.post(url)
    assert resp.status_code == 302 and resp["Location"] == f"/{collective.slug}/"
    assert collective.admins.filter(pk=friend.pk).exists()
    # One use only: somebody else cannot reuse the link.
    stranger = make_user()
    client.force_login(stranger)
    client.post(url)
    assert not collective.admins.filter(pk=stranger.pk).exists()
    with pytest.raises(Conflict):
        team.invitation_accept(token=invitation.token, user=stranger)
    assert client.get("/invitations/nonsense").status_code == 404


def test_invite_refusals(collective, collective_admin):
    with pytest.raises(ValidationFailed):
        team.invitation_create(collective=collective, by=collective_admin, email="not-an-email")
    with pytest.raises(Conflict):
        team.invitation_create(collective=collective, by=collective_admin, email=collective_admin.email.upper())
    assert not Invitation.objects.exists()


def test_revoked_invitation_cannot_be_used(collective, collective_admin, client):
    invitation = team.invitation_create(collective=collective, by=collective_admin, email="x@example.org")
    client.force_login(collective_admin)
    client.post(f"/{collective.slug}/admins", {"action": "revoke", "invitation": invitation.pk})
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    with pytest.raises(Exception):  # noqa: B017 - NotFound
        team.invitation_accept(token=invitation.token, user=make_user())


def test_remove_admin_but_never_the_last(client, collective, collective_admin):
    client.force_login(collective_admin)
    own = CollectiveAdmin.objects.get(collective=collective, user=collective_admin)
    resp = client.post(
        f"/{collective.slug}/admins", {"action": "remove", "admin": own.pk, "confirm": "yes"}, follow=True
    )
    assert "at least one admin" in resp.content.decode()
    assert collective.admins.count() == 1
    second = make_user()
    services.collective_add_admin(collective=collective, user=second)
    row = CollectiveAdmin.objects.get(collective=collective, user=second)
    resp = client.post(f"/{collective.slug}/admins", {"action": "remove", "admin": row.pk, "confirm": "yes"})
    assert resp.status_code == 302 and list(collective.admins.all()) == [collective_admin]
    page = client.get(f"/{collective.slug}/admins").content.decode()
    assert collective_admin.email in page


def test_create_page_flow(client, host, django_capture_on_commit_callbacks):
    user = make_user()
    assert client.get("/collectives/new").status_code == 302  # login first
    client.force_login(user)
    page = client.get("/collectives/new").content.decode()
    assert 'hx-get="/collectives/slug-check"' in page and "htmx" in page
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            "/collectives/new",
            {
                "name": "Fiets Atelier Evere",
                "slug": "",
                "description": "Bikes",
                "category": "mobility",
                "commune": "evere",
                "languages": ["nl", "fr"],
                "host": host.slug,
                "message": "Hallo",
            },
        )
    assert resp.status_code == 302 and resp["Location"] == "/fiets-atelier-evere/"
    page = client.get("/fiets-atelier-evere/").content.decode()
    assert "Awaiting approval" in page
    client.logout()
    assert client.get("/fiets-atelier-evere/").status_code == 404


def test_create_page_errors_keep_input_and_save_nothing(client, host):
    make_collective(host, slug="taken")
    client.force_login(make_user())
    data = {"name": "Mine", "slug": "TAKEN", "category": "food", "commune": "evere", "host": host.slug}
    resp = client.post("/collectives/new", data)
    assert resp.status_code == 200 and "already taken" in resp.content.decode()
    resp = client.post("/collectives/new", {**data, "slug": "api"})
    assert "reserved word" in resp.content.decode()
    assert not Collective.objects.filter(name="Mine").exists()


def test_create_page_unconfirmed_email(client, host):
    client.force_login(make_user(email_confirmed=False))
    resp = client.post("/collectives/new", {"name": "Mine", "category": "food", "commune": "evere", "host": host.slug})
    assert resp.status_code == 200 and "confirm your email" in resp.content.decode()
    assert not Collective.objects.filter(name="Mine").exists()


def test_create_page_host_select_when_several(client, host):
    other = make_host(name="GentSamen")
    client.force_login(make_user())
    page = client.get("/collectives/new").content.decode()
    assert '<select name="host"' in page and "GentSamen" in page
    resp = client.post(
        "/collectives/new", {"name": "Gents", "category": "food", "commune": "elsewhere", "host": other.slug}
    )
    assert resp.status_code == 302
    assert Collective.objects.get(name="Gents").host == other


def test_slug_check_fragment(client, host):
    make_collective(host, slug="jardin")
    html = client.get("/collectives/slug-check", {"name": "Jardin"}).content.decode()
    assert 'value="jardin-2"' in html and "free" in html
    html = client.get("/collectives/slug-check", {"name": "Jardin", "slug": "jardin", "slug_suggested": ""}).content
    assert "already taken" in html.decode()
    html = client.get("/collectives/slug-check", {"name": "Other", "slug": "my-own", "slug_suggested": "x"}).content
    assert 'value="my-own"' in html.decode()


def test_createhost_command(capsys):
    call_command(
        "createhost",
        slug="gentsamen",
        legal_name="GentSamen VZW",
        admin_email="Admin@GentSamen.example",
        iban="BE68539007547034",
        fee="6.5",
        currency="EUR",
    )
    host = Host.objects.get(profile__slug="gentsamen")
    admin = host.admins.get()
    assert admin.email == "admin@gentsamen.example" and not admin.has_usable_password()
    assert str(host.default_host_fee_percent) == "6.50" and host.profile.host_id == host.pk
    out = capsys.readouterr().out
    assert "/accounts/password/reset/" in out or "Forgot your password" in out
    with pytest.raises(CommandError, match="already taken"):
        call_command("createhost", slug="GENTSAMEN", legal_name="X", admin_email="a@b.example")
    with pytest.raises(CommandError, match="IBAN"):
        call_command("createhost", slug="liege", legal_name="X", admin_email="a@b.example", iban="BE00")
    with pytest.raises(CommandError):
        call_command("createhost", slug="liege", legal_name="X", admin_email="a@b.example", fee="80")
    assert not Host.objects.filter(profile__slug="liege").exists()


def test_several_hosts_on_home_page(client, host):
    other = make_host(name="GentSamen", slug="gentsamen")
    make_collective(host, name="Brussels One")
    make_collective(other, name="Gent One")
    html = client.get("/").content.decode()
    assert "GentSamen" in html and "Brussels One" in html and "Gent One" in html
    gent = client.get("/gentsamen/").content.decode()
    assert "Gent One" in gent and "Brussels One" not in gent


def test_host_admin_index_links(client, host, host_admin):
    client.force_login(host_admin)
    html = client.get(f"/fr/{host.slug}/admin/").content.decode()
    for path in ("admin/applications", "admin/settings", "admin/ledger", "admin/expenses"):
        assert f'href="/fr/{host.slug}/{path}"' in html, path


def test_double_click_on_approve_is_harmless(client, host, host_admin, django_capture_on_commit_callbacks):
    collective = make_collective(host, active=False)
    app = collective.applications.get()
    client.force_login(host_admin)
    url = f"/{host.slug}/admin/applications/{app.public_id}/approve"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"confirm": "yes"}, follow=True)
        second = client.post(url, {"confirm": "yes"}, follow=True)
    assert "is approved and live" in first.content.decode()
    assert "already been decided" in second.content.decode()
    assert len([m for m in mail.outbox if "approved" in m.subject]) == 1


def test_double_submit_of_the_create_form_creates_one(client, host):
    client.force_login(make_user())
    data = {"name": "Twice", "slug": "twice", "category": "food", "commune": "evere", "host": host.slug}
    assert client.post("/collectives/new", data)["Location"] == "/twice/"
    assert client.post("/collectives/new", data)["Location"] == "/twice/"
    assert Collective.objects.filter(slug="twice").count() == 1


def test_approve_reject_and_remove_admin_ask_first(client, host, host_admin):
    """No JavaScript needed: the first post shows a confirmation page and changes nothing."""
    from opencity.hosting import selectors

    pending = make_collective(host, active=False)
    other = make_collective(host, active=False)
    client.force_login(host_admin)
    approve = f"/{host.slug}/admin/applications/{pending.applications.get().public_id}/approve"
    page = client.post(approve)
    assert page.status_code == 200 and "Yes, approve" in page.content.decode()
    assert pending.applications.get().status == "pending"
    assert client.post(approve, {"confirm": "yes"}).status_code == 302
    assert pending.applications.get().status == "approved"

    reject = f"/{host.slug}/admin/applications/{other.applications.get().public_id}/reject"
    page = client.post(reject, {"reason": "Pas pour nous"}).content.decode()
    assert "Yes, reject" in page and "Pas pour nous" in page and 'name="reason" value="Pas pour nous"' in page
    assert other.applications.get().status == "pending"
    client.post(reject, {"reason": "Pas pour nous", "confirm": "yes"})
    assert other.applications.get().status == "rejected"

    pending.refresh_from_db()
    friend = make_user("friend@example.org", name="Friend")
    invitation = team.invitation_create(collective=pending, by=pending.admins.first(), email=friend.email)
    team.invitation_accept(token=invitation.token, user=friend)
    organiser = pending.admins.exclude(pk=friend.pk).first()
    client.force_login(organiser)
    row = next(r for r in selectors.collective_admins(pending) if r.user_id == friend.pk)
    page = client.post(f"/{pending.slug}/admins", {"action": "remove", "admin": row.pk}).content.decode()
    assert "Remove Friend?" in page and "Yes, remove" in page
    assert pending.admins.filter(pk=friend.pk).exists()
    client.post(f"/{pending.slug}/admins", {"action": "remove", "admin": row.pk, "confirm": "yes"})
    assert not pending.admins.filter(pk=friend.pk).exists()
