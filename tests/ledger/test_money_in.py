from decimal import Decimal

import pytest

from opencity.core.errors import PermissionDenied, ValidationFailed
from opencity.ledger import services as ledger
from opencity.ledger.models import AccountKind, Journal, TransferKind
from tests.conftest import enable_2fa, make_collective, make_user
from tests.ledger.helpers import balance, contribute, spend


def _lines(journal):
    return sorted(journal.transfers.values_list("kind", "amount"))


@pytest.mark.django_db
def test_host_fee_is_its_own_line_rounded_half_even(collective, check_ledger):
    # 12.5 % lands on half cents: they round to the even cent.
    collective.host_fee_percent = Decimal("12.5")
    collective.save(update_fields=["host_fee_percent"])
    j = contribute(collective, 1004)  # 125.5 → 126 (half to even)
    assert ("host_fee", 126) in _lines(j)
    j = contribute(collective, 1012)  # 126.5 → 126
    assert ("host_fee", 126) in _lines(j)
    check_ledger()


@pytest.mark.django_db
def test_collective_percent_overrides_host_default(host, check_ledger):
    default = make_collective(host)
    special = make_collective(host)
    special.host_fee_percent = Decimal("5")
    special.save(update_fields=["host_fee_percent"])
    free = make_collective(host)
    free.host_fee_percent = Decimal("0")
    free.save(update_fields=["host_fee_percent"])
    assert ("host_fee", 80) in _lines(contribute(default, 1000))
    assert ("host_fee", 50) in _lines(contribute(special, 1000))
    assert _lines(contribute(free, 1000)) == [("contribution", 1000)]
    assert ledger.host_account(host, AccountKind.HOST_FEES).balance == 130
    check_ledger()


@pytest.mark.django_db
def test_host_profile_pays_no_host_fee(host):
    j = contribute(host.profile, 1000, fee=39)
    assert _lines(j) == [("contribution", 1000), ("processor_fee", 39)]
    assert balance(host.profile) == 961


@pytest.mark.django_db
def test_added_funds_record_and_reverse(collective, host_admin, check_ledger):
    j = ledger.added_funds_record(
        collective=collective,
        amount=25000,
        source="Fondation Roi Baudouin",
        description="Neighbourhood grant",
        charge_host_fee=True,
        by=host_admin,
    )
    assert j.kind == TransferKind.ADDED_FUNDS and j.counterparty_label == "Fondation Roi Baudouin"
    bank = ledger.host_account(collective.host, AccountKind.BANK)
    t = j.transfers.get(kind=TransferKind.ADDED_FUNDS)
    assert t.debit_account == bank and t.amount == 25000
    assert ("host_fee", 2000) in _lines(j)
    assert balance(collective) == 23000
    no_fee = ledger.added_funds_record(
        collective=collective, amount=1000, source="Cash", description="Fair", charge_host_fee=False, by=host_admin
    )
    assert _lines(no_fee) == [("added_funds", 1000)]
    r = ledger.added_funds_reverse(journal=j, reason="bounced", by=host_admin)
    assert r.reverses == j and balance(collective) == 1000
    # A double submit of the reverse form returns the first reversal.
    assert ledger.added_funds_reverse(journal=j, reason="again", by=host_admin).pk == r.pk
    check_ledger()


@pytest.mark.django_db
def test_added_funds_only_by_host_admins_and_valid(collective, collective_admin, host_admin):
    with pytest.raises(PermissionDenied):
        ledger.added_funds_record(
            collective=collective, amount=100, source="x", description="y", charge_host_fee=True, by=collective_admin
        )
    import datetime as dt

    from django.utils import timezone

    bad = [
        {"amount": 0},
        {"amount": -1},
        {"source": " "},
        {"description": ""},
        {"date": timezone.localdate() + dt.timedelta(days=2)},
    ]
    for change in bad:
        args = {"amount": 100, "source": "x", "description": "y", "date": None, **change}
        with pytest.raises(ValidationFailed):
            ledger.added_funds_record(collective=collective, charge_host_fee=True, by=host_admin, **args)
    assert not Journal.objects.exists()
    j = ledger.added_funds_record(
        collective=collective, amount=100, source="x", description="y", charge_host_fee=False, by=host_admin
    )
    with pytest.raises(PermissionDenied):
        ledger.added_funds_reverse(journal=j, reason="no", by=collective_admin)


@pytest.mark.django_db
def test_added_funds_need_two_factor_authentication(collective):
    admin = collective.host.admins.first()
    assert not admin.totp_enabled
    with pytest.raises(PermissionDenied) as exc:
        ledger.added_funds_record(
            collective=collective, amount=100, source="x", description="y", charge_host_fee=False, by=admin
        )
    assert exc.value.code == "2fa_required" and not Journal.objects.exists()
    # Trusted internal callers (the demo seeder) pass system=True.
    j = ledger.added_funds_record(
        collective=collective, amount=100, source="x", description="y", charge_host_fee=False, by=admin, system=True
    )
    with pytest.raises(PermissionDenied):
        ledger.added_funds_reverse(journal=j, reason="typo", by=admin)


@pytest.mark.django_db
def test_added_funds_double_submit_posts_once(collective, host_admin):
    args = dict(collective=collective, amount=500, source="x", description="y", charge_host_fee=False, by=host_admin)
    a = ledger.added_funds_record(idempotency_key="form-token-1", **args)
    b = ledger.added_funds_record(idempotency_key="form-token-1", **args)
    assert a.pk == b.pk and balance(collective) == 500


@pytest.mark.django_db
def test_transfer_between_collectives_has_no_host_fee(host, check_ledger):
    giver, receiver = make_collective(host), make_collective(host)
    contribute(giver, 10000)  # 9200 after fee
    admin = enable_2fa(giver.admins.first())  # gifts move money: two-factor (issue 8)
    j = ledger.collective_transfer(
        from_collective=giver, to_collective=receiver, amount=2000, description="tools", by=admin
    )
    assert _lines(j) == [("collective_transfer", 2000)]
    assert balance(giver) == 7200 and balance(receiver) == 2000
    with pytest.raises(ledger.InsufficientFunds):
        ledger.collective_transfer(
            from_collective=giver, to_collective=receiver, amount=7201, description="too much", by=admin
        )
    with pytest.raises(PermissionDenied):
        ledger.collective_transfer(
            from_collective=giver, to_collective=receiver, amount=1, description="x", by=receiver.admins.first()
        )
    with pytest.raises(PermissionDenied):
        ledger.collective_transfer(
            from_collective=giver, to_collective=receiver, amount=1, description="x", by=make_user()
        )
    with pytest.raises(ValidationFailed):
        ledger.collective_transfer(from_collective=giver, to_collective=giver, amount=1, description="x", by=admin)
    check_ledger()


@pytest.mark.django_db
def test_no_gift_to_another_hosts_collective(collective):
    from tests.conftest import make_host

    other = make_collective(make_host())
    contribute(collective, 1000)
    with pytest.raises(ValidationFailed):
        ledger.collective_transfer(
            from_collective=collective,
            to_collective=other,
            amount=1,
            description="x",
            by=enable_2fa(collective.admins.first()),
        )
    spend(collective, 1)
