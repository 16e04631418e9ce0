"""Issue 8, item 1 and its quality bar: no money action succeeds from a session or request that did not pass
TOTP recently, whatever the way in — site login without the second factor, the Django admin's login, a
session whose sudo window lapsed, an API token without a (fresh) code. Each way is tried against every money
action and nothing may move; the same action with a fresh second factor does move money (the control)."""

import json
import time

import pyotp
import pytest
from django.test import Client

from opencity.accounts import otp
from opencity.accounts.models import User
from opencity.contributions.models import Contribution, ContributionRefund
from opencity.expenses import payouts
from opencity.expenses.models import Expense, PayoutBatch
from opencity.ledger import services as ledger
from opencity.ledger.models import Journal, Transfer
from tests.conftest import PASSWORD, make_collective, make_host, otp_header
from tests.contributions.helpers import give, top_up
from tests.expenses.conftest import approved, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_card(settings):
    settings.DEMO_MODE = True  # the contribution to refund is paid with the demo card
    settings.STRIPE_SECRET_KEY = ""


class MoneyWorld:
    """A host and two collectives with money, an approved expense, a payout file, an added-funds entry and a
    paid card contribution: something for every money action to act on."""

    def __init__(self):
        self.host = make_host()
        self.host_admin = self.host.admins.first()
        self.collective = make_collective(self.host)
        self.collective_admin = self.collective.admins.first()
        self.other = make_collective(self.host)
        seed = self.host_admin
        self.added = ledger.added_funds_record(
            collective=self.collective,
            amount=100_000,
            source="Sponsor",
            description="seed",
            charge_host_fee=False,
            by=seed,
            system=True,
        )
        submitter = self.collective_admin
        self.expense = approved(self.collective, submitter, 1250, approver=self.host_admin)
        self.batched = approved(self.collective, submitter, 700, approver=self.host_admin)
        self.batch = payouts.payout_batch_create(host=self.host, by=seed, expenses=[self.batched], system=True)
        top_up(self.collective, 5_000)
        self.contribution = give(self.collective, amount=2500)
        self.draft = submit(self.collective, submitter)

    def snapshot(self):
        return (
            Transfer.objects.count(),
            Journal.objects.count(),
            PayoutBatch.objects.count(),
            sorted(Expense.objects.values_list("public_id", "status")),
            list(Contribution.objects.values_list("status", flat=True)),
            ContributionRefund.objects.count(),
            ledger.funds_account(self.collective).balance,
            ledger.funds_account(self.other).balance,
        )


# --- the money actions, on pages and through the API ----------------------------------------------------


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _page_pay(w, c):
    return c.post(f"/{w.collective.slug}/expenses/{w.expense.public_id}/do/pay", {"paid_on": _today(), "bank_fee": ""})


def _page_payout_file(w, c):
    return c.post(f"/{w.host.slug}/admin/expenses/pay", {"expense": [w.expense.public_id], "make_batch": "1"})


def _page_batch_sent(w, c):
    return c.post(f"/{w.host.slug}/admin/expenses/batches/{w.batch.public_id}/do/sent")


def _page_added_funds(w, c):
    data = {
        "collective": w.collective.slug,
        "amount": "50",
        "source": "Cash",
        "description": "fair",
        "charge_host_fee": "on",
        "date": _today(),
        "token": "t-added",
    }
    return c.post(f"/{w.host.slug}/admin/ledger/added-funds", data)


def _page_reverse(w, c):
    return c.post(f"/{w.host.slug}/admin/ledger/added-funds/{w.added.public_id}/reverse", {"reason": "typo"})


def _page_gift(w, c):
    data = {"to": w.other.slug, "amount": "20", "description": "tools", "token": "t-gift"}
    return c.post(f"/{w.collective.slug}/give", data)


def _page_refund(w, c):
    return c.post(f"/contributions/{w.contribution.public_id}/refund", {"reason": "asked"})


PAGE_ACTIONS = {
    "pay": (_page_pay, "host"),
    "payout_file": (_page_payout_file, "host"),
    "batch_sent": (_page_batch_sent, "host"),
    "added_funds": (_page_added_funds, "host"),
    "added_funds_reverse": (_page_reverse, "host"),
    "gift": (_page_gift, "collective"),
    "refund": (_page_refund, "host"),
}


def _api(c, url, body, headers):
    return c.post(url, data=json.dumps(body), content_type="application/json", **headers)


API_ACTIONS = {
    "pay": (lambda w, c, h: _api(c, f"/api/v1/expenses/{w.expense.public_id}/pay", {}, h), "host"),
    "added_funds": (
        lambda w, c, h: _api(
            c,
            f"/api/v1/hosts/{w.host.slug}/added-funds",
            {"collective": w.collective.slug, "amount": 5000, "source": "S", "description": "d"},
            h,
        ),
        "host",
    ),
    "added_funds_reverse": (
        lambda w, c, h: _api(c, f"/api/v1/added-funds/{w.added.public_id}/reverse", {"reason": "typo"}, h),
        "host",
    ),
    "gift": (
        lambda w, c, h: _api(
            c,
            f"/api/v1/collectives/{w.collective.slug}/gifts",
            {"to": w.other.slug, "amount": 100, "description": "x"},
            h,
        ),
        "collective",
    ),
}


# --- the ways in ---------------------------------------------------------------------------------------


def _turn_on_totp(user) -> str:
    from opencity.accounts import services

    services.totp_begin(user=user)
    user.refresh_from_db()
    services.totp_enable(user=user, code=pyotp.TOTP(user.totp_secret).now())
    return user.totp_secret


def _site_login(client, user, secret=None):
    resp = client.post("/accounts/login/", {"email": user.email, "password": PASSWORD}, REMOTE_ADDR="10.1.1.1")
    if secret:
        User.objects.filter(pk=user.pk).update(totp_last_step=None)
        resp = client.post("/accounts/login/otp/", {"otp": pyotp.TOTP(secret).now()}, REMOTE_ADDR="10.1.1.1")
    assert resp.status_code == 302, resp.content
    return client


def way_site_login_without_totp(user):
    """The account has no second factor at all: the password logs in, but money stays put."""
    return _site_login(Client(), user)


def way_admin_login(user):
    """The Django admin's login form with the right password (it used to skip the second factor)."""
    _turn_on_totp(user)
    client = Client()
    resp = client.post("/admin/login/", {"username": user.email, "password": PASSWORD, "next": "/admin/"})
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")
    return client


def way_session_that_skipped_totp(user):
    """A session of an account with TOTP on that never passed it (any login path that would skip the step)."""
    _turn_on_totp(user)
    client = Client()
    client.force_login(User.objects.get(pk=user.pk))
    return client


def way_stale_sudo_window(user, settings=None):
    """Logged in with password and code 16 minutes ago: the sudo window (15 minutes) has lapsed."""
    secret = _turn_on_totp(user)
    client = _site_login(Client(), user, secret)
    session = client.session
    data = session[otp.SESSION_KEY]
    data["at"] = time.time() - 16 * 60
    session[otp.SESSION_KEY] = data
    session.save()
    return client


PAGE_WAYS = {
    "site_login_without_totp": way_site_login_without_totp,
    "admin_login": way_admin_login,
    "session_that_skipped_totp": way_session_that_skipped_totp,
    "stale_sudo_window": way_stale_sudo_window,
}


@pytest.mark.parametrize("action", sorted(PAGE_ACTIONS))
@pytest.mark.parametrize("way", sorted(PAGE_WAYS))
def test_no_money_moves_on_pages_without_a_fresh_second_factor(way, action):
    w = MoneyWorld()
    do, role = PAGE_ACTIONS[action]
    user = w.host_admin if role == "host" else w.collective_admin
    client = PAGE_WAYS[way](user)
    before = w.snapshot()
    resp = do(w, client)
    assert resp.status_code in (302, 403, 404), resp.content[:300]
    if resp.status_code == 302:  # to log in, to confirm with a code, to turn 2FA on, or back with an error
        assert resp["Location"].split("?")[0].split("#")[0] in (
            "/accounts/login/",
            "/accounts/confirm-code/",
            "/accounts/settings/",
            f"/{w.collective.slug}/expenses/{w.expense.public_id}",
        ), resp["Location"]
    assert w.snapshot() == before


@pytest.mark.parametrize("action", sorted(PAGE_ACTIONS))
def test_the_same_page_actions_move_money_after_the_code(action):
    """The control: log in with password and code (the real forms), and the action goes through."""
    w = MoneyWorld()
    do, role = PAGE_ACTIONS[action]
    user = w.host_admin if role == "host" else w.collective_admin
    client = _site_login(Client(), user, _turn_on_totp(user))
    before = w.snapshot()
    resp = do(w, client)
    assert resp.status_code == 302 and "/accounts/" not in resp["Location"], resp
    assert w.snapshot() != before


def test_stale_window_sends_to_the_code_page_and_back():
    """GitHub's sudo mode: the money page asks for the code, then brings the person back where they were."""
    w = MoneyWorld()
    user = w.collective_admin
    client = way_stale_sudo_window(user)
    give_url = f"/{w.collective.slug}/give"
    resp = client.get(give_url)
    assert resp.status_code == 302 and resp["Location"] == f"/accounts/confirm-code/?next=%2F{w.collective.slug}%2Fgive"
    page = client.get(resp["Location"])
    assert page.status_code == 200 and "Confirm with your code" in page.content.decode()
    User.objects.filter(pk=user.pk).update(totp_last_step=None)
    user.refresh_from_db()
    wrong = str((int(pyotp.TOTP(user.totp_secret).now()) + 1) % 1_000_000).zfill(6)
    assert client.post("/accounts/confirm-code/", {"otp": wrong, "next": give_url}).status_code == 400
    back = client.post("/accounts/confirm-code/", {"otp": pyotp.TOTP(user.totp_secret).now(), "next": give_url})
    assert back.status_code == 302 and back["Location"] == give_url
    assert client.get(give_url).status_code == 200
    # An unsafe next is not followed.
    resp = client.post("/accounts/confirm-code/?next=https://evil.example/", {"otp": "000000"})
    assert "evil.example" not in resp.get("Location", "")


def test_sudo_window_length_is_a_setting(settings):
    from opencity.accounts.permissions import has_2fa

    user = User.objects.get(pk=MoneyWorld().host_admin.pk)
    _turn_on_totp(user)
    user.refresh_from_db()
    user.otp_verified_at = time.time() - 120
    settings.SUDO_WINDOW = 60
    assert not has_2fa(user)
    settings.SUDO_WINDOW = 900
    assert has_2fa(user)


# --- the API ---------------------------------------------------------------------------------------------


def _token(user) -> str:
    from opencity.accounts.services import api_token_create

    return f"Bearer {api_token_create(user=user, name='script')}"


def api_way_token_without_code(user):
    _turn_on_totp(user)
    return {"HTTP_AUTHORIZATION": _token(user)}


def api_way_token_with_wrong_code(user):
    secret = _turn_on_totp(user)
    wrong = str((int(pyotp.TOTP(secret).now()) + 1) % 1_000_000).zfill(6)
    return {"HTTP_AUTHORIZATION": _token(user), "HTTP_X_OPENCITY_OTP": wrong}


def api_way_token_with_replayed_code(user):
    """The code was already used (here: to log in on the site): each code is accepted once."""
    secret = _turn_on_totp(user)
    code = pyotp.TOTP(secret).now()
    client = Client()
    client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    assert client.post("/accounts/login/otp/", {"otp": code}).status_code == 302
    return {"HTTP_AUTHORIZATION": _token(user), "HTTP_X_OPENCITY_OTP": code}


def api_way_token_of_account_without_totp(user):
    return {"HTTP_AUTHORIZATION": _token(user), "HTTP_X_OPENCITY_OTP": "123456"}


def api_way_session_cookie_of_verified_session(user):
    """A browser session that passed TOTP: the API ignores the cookie (tokens only)."""
    client = Client()
    _site_login(client, user, _turn_on_totp(user))
    return {"HTTP_COOKIE": f"sessionid={client.cookies['sessionid'].value}"}


API_WAYS = {
    "token_without_code": api_way_token_without_code,
    "token_with_wrong_code": api_way_token_with_wrong_code,
    "token_with_replayed_code": api_way_token_with_replayed_code,
    "token_of_account_without_totp": api_way_token_of_account_without_totp,
    "session_cookie_of_verified_session": api_way_session_cookie_of_verified_session,
}


@pytest.mark.parametrize("action", sorted(API_ACTIONS))
@pytest.mark.parametrize("way", sorted(API_WAYS))
def test_no_money_moves_through_the_api_without_a_fresh_code(way, action):
    w = MoneyWorld()
    do, role = API_ACTIONS[action]
    user = w.host_admin if role == "host" else w.collective_admin
    headers = API_WAYS[way](user)
    before = w.snapshot()
    resp = do(w, Client(), headers)
    assert resp.status_code in (401, 403), resp.content
    body = resp.json()
    assert body["code"] in ("2fa_required", "unauthenticated", "token_required"), body
    if body["code"] == "2fa_required":
        assert "X-OpenCity-OTP" in body["message"]
    assert w.snapshot() == before


@pytest.mark.parametrize("action", sorted(API_ACTIONS))
def test_the_same_api_actions_move_money_with_a_fresh_code(action):
    w = MoneyWorld()
    do, role = API_ACTIONS[action]
    user = w.host_admin if role == "host" else w.collective_admin
    _turn_on_totp(user)
    user.refresh_from_db()
    headers = {"HTTP_AUTHORIZATION": _token(user), **otp_header(user)}
    before = w.snapshot()
    resp = do(w, Client(), headers)
    assert resp.status_code in (200, 201), resp.content
    assert w.snapshot() != before
    # The same code again (a replay) is refused and moves nothing more.
    after = w.snapshot()
    again = do(w, Client(), {**headers, "HTTP_AUTHORIZATION": headers["HTTP_AUTHORIZATION"]})
    assert again.status_code in (403, 409) and w.snapshot() == after


def test_money_services_check_the_request_not_the_account():
    """Service level: a user object loaded from the database (no request passed TOTP) cannot move money,
    even with TOTP on; conftest.enable_2fa returns one that just passed it."""
    from opencity.accounts.permissions import has_2fa
    from opencity.core.errors import PermissionDenied
    from tests.conftest import enable_2fa

    w = MoneyWorld()
    fresh = enable_2fa(w.host_admin)
    assert has_2fa(fresh)
    from_db = User.objects.get(pk=fresh.pk)
    assert from_db.totp_enabled and not has_2fa(from_db)
    with pytest.raises(PermissionDenied) as exc:
        payouts.expense_mark_paid(expense=w.expense, by=from_db)
    assert exc.value.code == "2fa_required"
    from opencity.contributions import settlement

    with pytest.raises(PermissionDenied):
        settlement.contribution_refund(contribution=w.contribution, by=from_db)
    payouts.expense_mark_paid(expense=w.expense, by=fresh)
    w.expense.refresh_from_db()
    assert w.expense.status == "paid"
