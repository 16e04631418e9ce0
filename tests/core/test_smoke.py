import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opencity.money import Money


def test_money_is_integer_minor_units():
    assert Money.parse("12,50", "EUR") == Money(1250, "EUR")
    assert Money(1000, "EUR").percent(8) == Money(80, "EUR")
    assert Money(1, "EUR").percent(50) == Money(0, "EUR")  # half-even: 0.5 → 0
    assert Money(3, "EUR").percent(50) == Money(2, "EUR")  # 1.5 → 2
    with pytest.raises(TypeError):
        Money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Money.parse("1.234", "EUR")


@pytest.mark.django_db
def test_demo_seeds_once_and_pages_render(client):
    call_command("demo")
    with pytest.raises(CommandError, match="already exists"):
        call_command("demo")
    for url in ["/", "/fr/", "/nl/", "/ar/", "/collectives/", "/brusselstogether/", "/repair-cafe-ixelles/"]:
        assert client.get(url).status_code == 200, url
    ar = client.get("/ar/").content.decode()
    assert 'dir="rtl"' in ar and 'lang="ar"' in ar
    call_command("check_ledger")
