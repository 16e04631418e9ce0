"""Issue 9 item 13: the host's currency cannot change once it keeps books (admin, model, database)."""

import lxml.html
import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from opencity.hosting.models import Host
from tests.conftest import make_user
from tests.ledger.helpers import contribute

pytestmark = pytest.mark.django_db


def _admin_form_data(html: str) -> dict:
    """What a browser would submit from the admin's change form, as the page shows it."""
    form = lxml.html.fromstring(html).get_element_by_id("host_form")
    data = {}
    for el in form.xpath(".//input|.//select|.//textarea"):
        name = el.get("name")
        if not name or el.get("type") in ("submit", "button", "file"):
            continue
        if el.get("type") == "checkbox":
            if el.get("checked") is not None:
                data[name] = "on"
            continue
        if el.tag == "select":
            chosen = el.xpath("./option[@selected]/@value")
            data[name] = chosen[0] if chosen else ""
        else:
            data[name] = el.value or ""
    return data


def test_the_admin_shows_the_currency_read_only_and_a_forged_post_changes_nothing(
    client, host, collective, check_ledger
):
    contribute(collective, 1000)
    staff = make_user(is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = f"/admin/hosting/host/{host.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "currency" not in page.context["adminform"].form.fields
    data = _admin_form_data(page.content.decode())
    assert "currency" not in data
    data["currency"] = "USD"
    data["legal_name"] = "Renamed ASBL"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    host.refresh_from_db()
    assert host.legal_name == "Renamed ASBL" and host.currency == "EUR"
    contribute(collective, 500)  # posting still works
    check_ledger()


def test_the_model_refuses_a_new_currency_for_a_host_with_books(host):
    host.currency = "USD"
    with pytest.raises(ValidationError) as exc:
        host.full_clean(exclude=["profile"])
    assert "currency" in exc.value.message_dict


def test_the_database_refuses_it_too(host):
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE hosting_host SET currency = 'USD' WHERE id = %s", [host.pk])
    host.refresh_from_db()
    assert host.currency == "EUR"
    # Other columns stay editable.
    with connection.cursor() as cur:
        cur.execute("UPDATE hosting_host SET legal_name = 'X' WHERE id = %s", [host.pk])


def test_a_host_without_books_may_still_fix_its_currency():
    bare = Host.objects.create(legal_name="Not yet open", currency="EUR")
    bare.currency = "CHF"
    bare.full_clean(exclude=["profile"])
    bare.save()
    assert Host.objects.get(pk=bare.pk).currency == "CHF"
