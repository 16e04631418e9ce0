import pytest

from opencity.accounts.models import User
from opencity.community.models import Person
from opencity.community.services import person_find_or_create
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_person_found_case_insensitively():
    a = person_find_or_create(email=" Lea@Example.org ", name="Léa")
    b = person_find_or_create(email="LEA@example.ORG", name="Other")
    assert a.pk == b.pk and b.name == "Léa" and b.email == "lea@example.org"
    assert Person.objects.count() == 1


def test_every_user_has_a_person(user):
    assert Person.objects.get(user=user).email == user.email


def test_person_admin_search(client):
    admin = User.objects.create_superuser(email="root@example.org", password="correct-horse-battery-staple")
    make_user("karim@example.org", name="Karim")
    person_find_or_create(email="nour@example.org", name="Nour")
    client.force_login(admin)
    body = client.get("/admin/community/person/?q=nour").content.decode()
    assert "nour@example.org" in body and "karim@example.org" not in body
    person = Person.objects.get(email="nour@example.org")
    assert client.get(f"/admin/community/person/{person.pk}/change/").status_code == 200
