"""The /collectives/ directory: search, filters, pagination, and a constant number of queries."""

import pytest

from tests.conftest import make_collective, make_host

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(host):
    made = {
        "garden": make_collective(
            host,
            name="Jardin Partagé",
            description="Tomatoes together",
            category="food",
            commune="forest",
            languages=["fr", "nl"],
        ),
        "bikes": make_collective(
            host,
            name="Bike Kitchen",
            description="Repair your bike",
            category="mobility",
            commune="schaerbeek",
            languages=["en", "ar"],
        ),
        "homework": make_collective(
            host,
            name="Huiswerkklas",
            description="Homework help for kids",
            category="education",
            commune="molenbeek",
            languages=["nl", "ar"],
        ),
    }
    make_collective(host, name="Secret Pending Garden", active=False)
    return made


def _names(client, **params):
    html = client.get("/collectives/", params).content.decode()
    return {
        name for name in ("Jardin Partagé", "Bike Kitchen", "Huiswerkklas", "Secret Pending Garden") if name in html
    }


def test_search_and_filters(client, directory):
    assert _names(client) == {"Jardin Partagé", "Bike Kitchen", "Huiswerkklas"}
    assert _names(client, q="tomatoes") == {"Jardin Partagé"}  # description
    assert _names(client, q="BIKE") == {"Bike Kitchen"}  # name, any case
    assert _names(client, q="garden") == set()  # pending ones never show
    assert _names(client, category="education") == {"Huiswerkklas"}
    assert _names(client, commune="forest") == {"Jardin Partagé"}
    assert _names(client, language="ar") == {"Bike Kitchen", "Huiswerkklas"}
    assert _names(client, language="ar", commune="molenbeek") == {"Huiswerkklas"}
    assert _names(client, category="nonsense") == {"Jardin Partagé", "Bike Kitchen", "Huiswerkklas"}
    html = client.get("/collectives/", {"q": "nothing-like-this"}).content.decode()
    assert "No collective matches these filters." in html and "Clear filters" in html


def test_host_profiles_are_not_listed(client, host, directory):
    assert f'href="/{host.slug}/"' not in client.get("/collectives/").content.decode()


def test_pagination_keeps_filters(client, host):
    for i in range(30):
        make_collective(host, name=f"Food {i:02d}", category="food")
    make_collective(host, name="Not food", category="sport")
    page1 = client.get("/collectives/", {"category": "food"}).content.decode()
    assert "Page 1 of 2" in page1 and "30 collectives" in page1
    assert "?category=food&amp;page=2" in page1
    page2 = client.get("/collectives/", {"category": "food", "page": 2}).content.decode()
    assert page2.count('class="card"') == 6 and "Not food" not in page2
    assert client.get("/collectives/", {"page": "999"}).status_code == 200
    assert client.get("/collectives/", {"page": "abc"}).status_code == 200


def test_query_count_is_constant(client, host, django_assert_max_num_queries):
    other = make_host()
    for i in range(3):
        make_collective(host, name=f"A{i}", languages=["fr"])
    with django_assert_max_num_queries(3) as small:
        assert client.get("/collectives/").status_code == 200
    for i in range(30):
        make_collective(host if i % 2 else other, name=f"B{i}", languages=["fr"])
    with django_assert_max_num_queries(3) as large:
        assert client.get("/collectives/", {"language": "fr"}).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)


def test_home_query_count_does_not_grow_with_collectives(client, host, django_assert_max_num_queries):
    for i in range(2):
        make_collective(host, name=f"A{i}")
    with django_assert_max_num_queries(12) as small:
        client.get("/")
    for i in range(20):
        make_collective(host, name=f"B{i}")
    with django_assert_max_num_queries(12) as large:
        client.get("/")
    assert len(small.captured_queries) == len(large.captured_queries)
