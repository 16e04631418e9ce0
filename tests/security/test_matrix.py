"""Role × action matrix (issue 8): every state-changing page and API operation, for every role.

The routes are generated, not listed by hand: page routes from the URL conf (every pattern whose view
reads POST), API operations from the OpenAPI schema (POST/PATCH/PUT/DELETE). `test_every_route_has_an_
expectation` fails for a route without a row in PAGES or API below — so a new endpoint cannot land without
saying who may use it. Each (route, role) pair is then played against real objects built through the
services (`MatrixWorld`), inside a savepoint rolled back after each role, and checked:

* allowed roles get a 2xx/3xx answer;
* refused roles get 401/403/404 (or, for pages, the redirect to the login page for anonymous visitors, or
  a status listed in the row's `refused_as` with the reason in a comment), and the database is unchanged.

Adding an endpoint (say `POST /api/v1/collectives/{slug}/bank-statements`):

1. If it needs an object the world lacks, create it in `MatrixWorld.__init__` through its service.
2. Add a row to API (or PAGES, keyed by the URL pattern as `show_routes` prints it):
   `"POST /api/v1/collectives/{slug}/bank-statements": Row(HOST, lambda w: (f"/api/v1/…{w.a.slug}…", {...}))`
   where the first argument is the set of roles that may do it (ROLES names below) and the lambda returns
   (url, data). `json=False` sends a form (pages always do); `refused_as` adds statuses accepted as refusals.
3. Run `pytest tests/security/test_matrix.py -q`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from opencity.accounts.services import api_token_create
from opencity.api.main import api
from opencity.banking import services as banking
from opencity.banking.formats.writer import Entry, camt053
from opencity.banking.models import BankStatementLine
from opencity.community import services as community
from opencity.community import tokens as community_tokens
from opencity.community import volunteering
from opencity.contributions import identity
from opencity.contributions import services as contributions
from opencity.contributions.models import Tier
from opencity.events import registrations
from opencity.expenses import payouts
from opencity.hosting import services as hosting
from opencity.hosting import team
from opencity.ledger.models import Journal, TransferKind
from opencity.movement import services as movement
from opencity.stories import services as stories
from tests.conftest import enable_2fa, make_user, otp_header
from tests.contributions.helpers import give
from tests.expenses.conftest import World, approved, fund, item, pdf, submit

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "stranger",
    "contributor",
    "submitter",
    "a_admin",
    "b_admin",
    "host_admin",
    "other_host_admin",
    "staff",
]
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
NOBODY: set[str] = set()
HOST = {"host_admin"}
A_ADMINS = {"a_admin", "host_admin"}  # the collective's admins and its host's
# Django admin and the API's own URLs are not pages: the admin has its own login and the API is the schema.
NOT_PAGES = ("admin/", "api/")
# Tables whose rows change on any request, whoever sends it (sessions, login throttling, token use).
VOLATILE = {"accounts.ratelimitevent", "accounts.loginattempt", "accounts.apitoken", "django_tasks_db.dbtaskresult"}


@dataclass
class Row:
    allowed: set[str]
    request: Callable  # (world) -> (url, data)
    json: bool = True  # API only: a JSON body (False: a form, multipart when it carries files)
    refused_as: set[int] = field(default_factory=set)


class MatrixWorld(World):
    """The expense world (host, collectives A and B, their admins, another host) plus the objects every
    action needs: a contributor with a gift and a membership, expenses in each state, a payout batch, a
    pending application, added funds, an invitation and an API token."""

    def __init__(self):
        super().__init__()
        # Gifts between collectives move money: A's admin has two-factor on, like the host admins (issue 8).
        self.collective_admin = enable_2fa(self.collective_admin)
        self.a, self.b = self.collective, self.other_collective
        self.stranger = self.other_user
        self.staff = make_user(is_staff=True, is_superuser=True)
        self.contributor = make_user(name="Carla Contributor")
        self.gift = give(self.a, user=self.contributor, name="Carla Contributor", amount=2500)
        tier = contributions.tier_create(
            collective=self.a, by=self.collective_admin, name="Member", type=Tier.Type.MEMBERSHIP,
            amount_type=Tier.AmountType.FIXED, amount=1000, interval="month",
        )  # fmt: skip
        self.tier = tier
        self.membership = give(self.a, user=self.contributor, amount=None, tier=tier.slug).recurring
        self.expense = submit(self.a, self.submitter, items=[item()])
        self.draft = submit(self.a, self.submitter, items=[item()], draft=True)
        self.payable = approved(self.a, self.submitter, items=[item()])
        self.batched = approved(self.a, self.submitter, items=[item()])
        self.batch = payouts.payout_batch_create(host=self.host, by=self.host_admin, expenses=[self.batched])
        self.pending = hosting.collective_create(user=self.stranger, host=self.host, name="Pending idea")
        self.application = self.pending.application if hasattr(self.pending, "application") else None
        fund(self.b, 50_000)
        self.added = Journal.objects.filter(kind=TransferKind.ADDED_FUNDS, host=self.host).first()
        self.invitation = team.invitation_create(collective=self.a, by=self.collective_admin, email="new@example.org")
        self.stranger_token_id = self._token(self.stranger)
        self.confirm_token = identity.identity_confirm_token(self.gift)
        # Stories: a draft by A's admin, a volunteer writer's story waiting for approval, a follower.
        self.story = stories.story_create(
            collective=self.a, by=self.collective_admin, language="en", title="Draft", body="Text"
        )
        self.writer = make_user(name="Volunteer Writer")
        stories.writer_invite(host=self.host, by=self.host_admin, user=self.writer)
        self.pending_story = stories.story_publish(
            story=stories.story_create(
                collective=self.a, by=self.writer, language="nl", title="Vrijwilliger", body="x"
            ),
            by=self.writer,
        )
        self.follow = stories.follow(collective=self.a, user=self.contributor, language="fr")
        self.host_request = movement.host_request_submit(
            by=self.stranger, name="Gent Samen", slug="gentsamen", legal_name="Gent Samen VZW",
            enterprise_number="0403.170.701", iban="BE68539007547034", currency="EUR",
            default_host_fee_percent=6, languages=["nl"],
        )  # fmt: skip
        # Community (issue 13): an opportunity of A with a signed-up contributor, a consent waiting for its link.
        self.opportunity = volunteering.opportunity_create(
            host=self.host, collective=self.a, by=self.collective_admin, title="Cook", skills=["Cooking"]
        )
        self.signup = volunteering.signup_create(opportunity=self.opportunity, name="", email="", user=self.contributor)
        person = self.contributor.person
        self.consent_token = community_tokens.make(
            community_tokens.CONSENT_SALT, community.consent_request(person=person, host=self.host).pk, person.email
        )
        self.data_token = community_tokens.make(community_tokens.DATA_SALT, person.public_id, person.email)
        self.unsubscribe_token = community_tokens.make(
            community_tokens.UNSUBSCRIBE_SALT, person.public_id, self.host.pk
        )
        self._events()
        self.bank_account = banking.bank_account_main(host=self.host)
        banking.statement_import(host=self.host, data=_camt(self.bank_account, "MATRIX-0", 4321), system=True)
        self.bank_line = BankStatementLine.objects.get(bank_account=self.bank_account)

    def _events(self) -> None:
        """An event of A with a free ticket type and one registration (its ticket for the door)."""
        from opencity.events import orders, services

        start = timezone.now() + dt.timedelta(days=10)
        self.event = services.event_create(
            collective=self.a, by=self.collective_admin, title="Repair café", starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
        )  # fmt: skip
        self.ticket_type = services.ticket_type_create(
            event=self.event, by=self.collective_admin, name="Free", price=0, quantity=50
        )
        self.order = orders.order_create(
            event=self.event,
            data=orders.OrderRequest(
                attendees=[orders.AttendeeIn(ticket_type=self.ticket_type.public_id, name="Ada")],
                email="ada@example.org",
            ),
        )
        self.ticket_code = self.order.tickets.get().code

    @property
    def event_url(self) -> str:
        return f"/{self.a.slug}/events/{self.event.slug}/"

    current = None  # the user of the request being built

    def otp(self) -> str:
        """A valid two-factor code of the current user (those without two-factor get a wrong one)."""
        import pyotp

        secret = getattr(self.current, "totp_secret", "")
        return pyotp.TOTP(secret).now() if secret else "000000"

    def _token(self, user) -> int:
        from opencity.accounts.models import ApiToken

        api_token_create(user=user, name="matrix")
        return ApiToken.objects.filter(user=user).latest("pk").pk

    def user(self, role):
        return {
            "anonymous": None,
            "stranger": self.stranger,
            "contributor": self.contributor,
            "submitter": self.submitter,
            "a_admin": self.collective_admin,
            "b_admin": self.other_collective_admin,
            "host_admin": self.host_admin,
            "other_host_admin": self.other_host_admin,
            "staff": self.staff,
        }[role]

    @property
    def application_id(self) -> str:
        from opencity.hosting.models import HostApplication

        return HostApplication.objects.get(collective=self.pending).public_id


def _camt(account, stmt_id: str, amount: int) -> bytes:
    """A one-line CAMT.053 statement of the host's bank account (an unmatched credit)."""
    day = timezone.localdate()
    return camt053(
        iban=account.iban, entries=[Entry(amount, day, text="Matrix gift")], opening=0, start=day, end=day,
        stmt_id=stmt_id,
    )  # fmt: skip


def _statement_upload(w):
    return {"file": SimpleUploadedFile("statement.xml", _camt(w.bank_account, "MATRIX-1", 1234))}


def _items_json():
    day = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    return json.dumps([{"description": "Paint", "date": day, "amount": 1999}])


def _expense_form(w):
    return {
        "type": "reimbursement", "title": "Paint", "category": "equipment", "items": _items_json(),
        "iban": "BE68539007547034", "account_holder": "Sam", "receipts": [pdf("a.pdf")],
    }  # fmt: skip


def _page_expense_form(w):
    today = timezone.localdate()
    return {
        "type": "reimbursement", "title": "Flyers", "category": "printing", "payee_type": "self",
        "iban": "BE68 5390 0754 7034", "account_holder": "Sam", "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "50",
        "items-0-description": "500 flyers", "items-0-incurred_on": (today - dt.timedelta(days=3)).isoformat(),
        "items-0-amount": "42,50", "items-0-receipt": pdf("invoice.pdf"),
    }  # fmt: skip


def _exp(w, action):
    return f"/api/v1/expenses/{w.expense.public_id}/{action}"


# --- API operations (from the OpenAPI schema) -------------------------------------------------------------
API = {
    "PATCH /api/v1/hosts/{slug}": Row(HOST, lambda w: (f"/api/v1/hosts/{w.host.slug}", {"address": "Rue 1"})),
    "POST /api/v1/collectives": Row(
        SIGNED_IN, lambda w: ("/api/v1/collectives", {"name": "New idea", "host": w.host.slug})
    ),
    "PATCH /api/v1/collectives/{slug}": Row(
        A_ADMINS, lambda w: (f"/api/v1/collectives/{w.a.slug}", {"description": "Changed"})
    ),
    "POST /api/v1/applications/{public_id}/approve": Row(
        HOST, lambda w: (f"/api/v1/applications/{w.application_id}/approve", {})
    ),
    "POST /api/v1/applications/{public_id}/reject": Row(
        HOST, lambda w: (f"/api/v1/applications/{w.application_id}/reject", {"reason": "No"})
    ),
    "POST /api/v1/hosts/{slug}/added-funds": Row(
        HOST,
        lambda w: (
            f"/api/v1/hosts/{w.host.slug}/added-funds",
            {"collective": w.a.slug, "amount": 1000, "source": "Cash", "description": "Box"},
        ),
    ),
    "POST /api/v1/added-funds/{journal_id}/reverse": Row(
        HOST, lambda w: (f"/api/v1/added-funds/{w.added.public_id}/reverse", {"reason": "Typo"})
    ),
    "POST /api/v1/collectives/{slug}/gifts": Row(
        {"a_admin"},  # the giving collective's own admins (ledger.permissions.can_give), not its host's
        lambda w: (f"/api/v1/collectives/{w.a.slug}/gifts", {"to": w.b.slug, "amount": 100, "description": "Help"}),
    ),
    # Anyone may give; anonymous callers give their email (the contribution is theirs, not anyone else's).
    "POST /api/v1/contributions/{public_id}/refund": Row(
        HOST, lambda w: (f"/api/v1/contributions/{w.gift.public_id}/refund", {"reason": "Asked"})
    ),
    "POST /api/v1/collectives/{slug}/contributions": Row(
        EVERYONE,
        lambda w: (
            f"/api/v1/collectives/{w.a.slug}/contributions",
            {"amount": 1000, "payment_method": "demo", "email": "x@example.org"},
        ),
    ),
    "POST /api/v1/collectives/{slug}/expenses": Row(
        SIGNED_IN, lambda w: (f"/api/v1/collectives/{w.a.slug}/expenses", _expense_form(w)), json=False
    ),  # anyone signed in may submit an expense to a collective; it waits for the collective's admins
    # A pending expense was already submitted: submitting it again is its submitter's (a no-op or a 409).
    "POST /api/v1/expenses/{public_id}/submit": Row(
        {"submitter"}, lambda w: (f"/api/v1/expenses/{w.draft.public_id}/submit", {})
    ),
    "POST /api/v1/expenses/{public_id}/approve": Row(A_ADMINS, lambda w: (_exp(w, "approve"), {})),
    "POST /api/v1/expenses/{public_id}/reject": Row(A_ADMINS, lambda w: (_exp(w, "reject"), {})),
    "POST /api/v1/expenses/{public_id}/hold": Row(HOST, lambda w: (_exp(w, "hold"), {})),
    "POST /api/v1/expenses/{public_id}/release": Row(HOST, lambda w: (_exp(w, "release"), {})),
    "POST /api/v1/expenses/{public_id}/incomplete": Row(HOST, lambda w: (_exp(w, "incomplete"), {"note": "?"})),
    "POST /api/v1/expenses/{public_id}/pay": Row(HOST, lambda w: (f"/api/v1/expenses/{w.payable.public_id}/pay", {})),
    # Events (issue 12): anyone may register (the tickets go to the email given); the door is the admins' and
    # the helpers they name (none in this world).
    "POST /api/v1/events/{public_id}/orders": Row(
        EVERYONE,
        lambda w: (
            f"/api/v1/events/{w.event.public_id}/orders",
            {"attendees": [{"ticket_type": w.ticket_type.public_id, "name": "Bo"}], "email": "bo@example.org"},
        ),
    ),
    "POST /api/v1/events/{public_id}/check-in": Row(
        A_ADMINS, lambda w: (f"/api/v1/events/{w.event.public_id}/check-in", {"code": w.ticket_code})
    ),
    # The host's bank: its admins only (importing and deciding post to the ledger: two-factor, which they have).
    "POST /api/v1/hosts/{slug}/bank/statements": Row(
        HOST, lambda w: (f"/api/v1/hosts/{w.host.slug}/bank/statements", _statement_upload(w)), json=False
    ),
    "POST /api/v1/hosts/{slug}/bank/lines/{public_id}/assign": Row(
        HOST, lambda w: (f"/api/v1/hosts/{w.host.slug}/bank/lines/{w.bank_line.public_id}/assign", {"action": "leave"})
    ),
    "POST /api/v1/collectives/{slug}/stories": Row(
        A_ADMINS,
        lambda w: (f"/api/v1/collectives/{w.a.slug}/stories", {"language": "fr", "title": "Nouvelles", "body": "x"}),
    ),
    "PUT /api/v1/stories/{public_id}/versions": Row(
        A_ADMINS,
        lambda w: (f"/api/v1/stories/{w.story.public_id}/versions", {"language": "fr", "title": "T", "body": "B"}),
    ),
    "POST /api/v1/stories/{public_id}/publish": Row(
        A_ADMINS, lambda w: (f"/api/v1/stories/{w.story.public_id}/publish", {})
    ),
    "POST /api/v1/stories/{public_id}/approve": Row(
        A_ADMINS, lambda w: (f"/api/v1/stories/{w.pending_story.public_id}/approve", {})
    ),
    # Any signed-in person (with a confirmed email) may ask to become a host; installation admins decide.
    "POST /api/v1/host-applications": Row(
        SIGNED_IN,
        lambda w: (
            "/api/v1/host-applications",
            {
                "name": "Liège Ensemble",
                "slug": "liege-ensemble",
                "legal_name": "Liège Ensemble ASBL",
                "enterprise_number": "0403.170.701",
                "iban": "BE68539007547034",
                "languages": ["fr"],
            },
        ),  # fmt: skip
    ),
    "POST /api/v1/host-applications/{public_id}/approve": Row(
        {"staff"}, lambda w: (f"/api/v1/host-applications/{w.host_request.public_id}/approve", {})
    ),
    "POST /api/v1/expenses/{public_id}/comment": Row(
        {"submitter", "a_admin", "host_admin"}, lambda w: (_exp(w, "comment"), {"body": "Hello"})
    ),
}

# --- pages (from the URL conf) -----------------------------------------------------------------------------
_LOGIN = {"email": "nobody@example.org", "password": "wrong"}
PAGES = {
    # Community (issue 13). Signed links: whoever holds the link (the mailbox it was sent to) may use it.
    "people/me": Row(EVERYONE, lambda w: ("/people/me", {"email": "nobody@example.org"})),
    "people/me/<str:token>/withdraw": Row(EVERYONE, lambda w: (f"/people/me/{w.data_token}/withdraw", {})),
    "people/me/<str:token>/profile": Row(
        EVERYONE, lambda w: (f"/people/me/{w.data_token}/profile", {"host": w.host.pk, "skills": "Baking"})
    ),
    "<slug:slug>/community/tags": Row(
        HOST, lambda w: (f"/{w.host.slug}/community/tags", {"kind": "skill", "name": "Baking"})
    ),
    "people/me/<str:token>/erase": Row(EVERYONE, lambda w: (f"/people/me/{w.data_token}/erase", {"confirm": "erase"})),
    "people/unsubscribe/<str:token>": Row(EVERYONE, lambda w: (f"/people/unsubscribe/{w.unsubscribe_token}", {})),
    "people/consent/<str:token>": Row(EVERYONE, lambda w: (f"/people/consent/{w.consent_token}", {})),
    "volunteer/<str:public_id>": Row(
        EVERYONE, lambda w: (f"/volunteer/{w.opportunity.public_id}", {"name": "Vi", "email": "vi@example.org"})
    ),
    "<slug:slug>/community/mail": Row(
        A_ADMINS, lambda w: (f"/{w.a.slug}/community/mail", {"subject": "Hi", "body": "News"})
    ),
    "<slug:slug>/volunteering": Row(
        A_ADMINS, lambda w: (f"/{w.a.slug}/volunteering", {"title": "Help", "people_needed": "2"})
    ),
    "<slug:slug>/volunteering/signups/<str:public_id>/decide": Row(
        A_ADMINS, lambda w: (f"/{w.a.slug}/volunteering/signups/{w.signup.public_id}/decide", {"decision": "confirm"})
    ),
    "<slug:slug>/volunteering/signups/<str:public_id>/message": Row(
        A_ADMINS,
        lambda w: (f"/{w.a.slug}/volunteering/signups/{w.signup.public_id}/message", {"subject": "Hi", "body": "x"}),
    ),
    "<slug:slug>/volunteering/<str:public_id>/suggest": Row(
        HOST, lambda w: (f"/{w.host.slug}/volunteering/{w.opportunity.public_id}/suggest", {})
    ),
    # Public forms: anyone may post them (a wrong login or a bad signature changes nothing that matters).
    "webhooks/stripe": Row(NOBODY, lambda w: ("/webhooks/stripe", {}), refused_as={400}),
    "i18n/setlang/": Row(EVERYONE, lambda w: ("/i18n/setlang/", {"language": "fr", "next": "/"})),
    "accounts/signup/": Row(EVERYONE, lambda w: ("/accounts/signup/", {"email": "x"})),
    "accounts/confirm/resend/": Row(EVERYONE, lambda w: ("/accounts/confirm/resend/", {"email": "x@example.org"})),
    "accounts/login/": Row(EVERYONE, lambda w: ("/accounts/login/", _LOGIN)),
    "accounts/login/otp/": Row(EVERYONE, lambda w: ("/accounts/login/otp/", {"otp": "000000"})),
    "accounts/logout/": Row(EVERYONE, lambda w: ("/accounts/logout/", {})),
    "accounts/password/reset/": Row(EVERYONE, lambda w: ("/accounts/password/reset/", {"email": "x@example.org"})),
    "accounts/password/reset/<uidb64>/<token>/": Row(
        EVERYONE, lambda w: ("/accounts/password/reset/MQ/bad-token/", {"new_password1": "x", "new_password2": "x"})
    ),
    # One's own account: every signed-in user, for themselves only.
    "accounts/password/change/": Row(SIGNED_IN, lambda w: ("/accounts/password/change/", {})),
    "accounts/settings/": Row(SIGNED_IN, lambda w: ("/accounts/settings/", {"name": "Me"})),
    "accounts/settings/tokens/": Row(SIGNED_IN, lambda w: ("/accounts/settings/tokens/", {"name": "cli"})),
    # Someone else's token: refused, the settings page comes back with the refusal as a message.
    "accounts/settings/tokens/<int:token_id>/revoke/": Row(
        {"stranger"}, lambda w: (f"/accounts/settings/tokens/{w.stranger_token_id}/revoke/", {}), refused_as={302}
    ),
    "accounts/settings/2fa/begin/": Row(SIGNED_IN, lambda w: ("/accounts/settings/2fa/begin/", {})),
    "accounts/settings/2fa/": Row(SIGNED_IN, lambda w: ("/accounts/settings/2fa/", {"otp": "000000"})),
    "accounts/confirm-code/": Row(SIGNED_IN, lambda w: ("/accounts/confirm-code/", {"otp": w.otp()})),
    "accounts/settings/2fa/recovery-codes/": Row(SIGNED_IN, lambda w: ("/accounts/settings/2fa/recovery-codes/", {})),
    "accounts/settings/2fa/disable/": Row(SIGNED_IN, lambda w: ("/accounts/settings/2fa/disable/", {"otp": w.otp()})),
    "collectives/new": Row(SIGNED_IN, lambda w: ("/collectives/new", {"name": "Idea", "host": w.host.slug})),
    # The invitation is for new@example.org: nobody here may accept it (the page says so).
    "invitations/<str:token>": Row(NOBODY, lambda w: (f"/invitations/{w.invitation.token}", {}), refused_as={200}),
    "<slug:slug>/give": Row(
        {"a_admin"},
        lambda w: (f"/{w.a.slug}/give", {"to": w.b.slug, "amount": "1", "description": "Help", "token": "t"}),
    ),
    "<slug:slug>/admin/ledger/added-funds": Row(
        HOST,
        lambda w: (
            f"/{w.host.slug}/admin/ledger/added-funds",
            {
                "collective": w.a.slug,
                "amount": "10",
                "source": "Cash",
                "description": "Box",
                "token": "t",
                "date": timezone.localdate().isoformat(),
            },
        ),  # fmt: skip
    ),
    "<slug:slug>/admin/ledger/added-funds/<str:journal_id>/reverse": Row(
        HOST, lambda w: (f"/{w.host.slug}/admin/ledger/added-funds/{w.added.public_id}/reverse", {"reason": "x"})
    ),
    # The signed "this was me" link: whoever holds it (the receipt's mailbox) may confirm.
    "contributions/<str:public_id>/confirm/<str:token>": Row(
        EVERYONE, lambda w: (f"/contributions/{w.gift.public_id}/confirm/{w.confirm_token}", {})
    ),
    "contributions/<str:public_id>/refund": Row(
        HOST, lambda w: (f"/contributions/{w.gift.public_id}/refund", {"reason": "Asked"})
    ),
    # The cancel link of the membership's emails: whoever holds the token.
    "memberships/cancel/<str:token>": Row(EVERYONE, lambda w: (f"/memberships/cancel/{w.membership.cancel_token}", {})),
    "memberships/<str:public_id>/cancel": Row(
        {"contributor", "a_admin", "host_admin"}, lambda w: (f"/memberships/{w.membership.public_id}/cancel", {})
    ),
    "<slug:slug>/contribute": Row(
        EVERYONE,
        lambda w: (f"/{w.a.slug}/contribute", {"amount": "10", "payment_method": "demo", "email": "g@example.org"}),
    ),
    "<slug:slug>/contribute/<slug:tier>": Row(
        EVERYONE,
        lambda w: (f"/{w.a.slug}/contribute/{w.tier.slug}", {"payment_method": "demo", "email": "g@example.org"}),
    ),
    "<slug:slug>/contributions": Row(
        A_ADMINS, lambda w: (f"/{w.a.slug}/contributions", {"action": "archive", "tier": w.tier.public_id})
    ),
    "<slug:slug>/expenses/new": Row(SIGNED_IN, lambda w: (f"/{w.a.slug}/expenses/new", _page_expense_form(w))),
    "<slug:slug>/expenses/<str:public_id>/edit": Row(
        {"submitter"}, lambda w: (f"/{w.a.slug}/expenses/{w.expense.public_id}/edit", _page_expense_form(w))
    ),
    # The submitter, involved, gets the expense page back with the refusal as a message.
    "<slug:slug>/expenses/<str:public_id>/do/<str:action>": Row(
        A_ADMINS, lambda w: (f"/{w.a.slug}/expenses/{w.expense.public_id}/do/approve", {}), refused_as={302}
    ),
    "<slug:slug>/admin/expenses/pay": Row(
        HOST, lambda w: (f"/{w.host.slug}/admin/expenses/pay", {"expenses": [w.payable.public_id]})
    ),
    "<slug:slug>/admin/expenses/categories": Row(
        HOST, lambda w: (f"/{w.host.slug}/admin/expenses/categories", {"label": "Rent"})
    ),
    "<slug:slug>/admin/expenses/batches/<str:public_id>/do/<str:action>": Row(
        HOST, lambda w: (f"/{w.host.slug}/admin/expenses/batches/{w.batch.public_id}/do/cancel", {})
    ),
    "<slug:slug>/edit": Row(A_ADMINS, lambda w: (f"/{w.a.slug}/edit", {"name": w.a.name})),
    "<slug:slug>/edit/look": Row(A_ADMINS, lambda w: (f"/{w.a.slug}/edit/look", {"accent_color": "#1a4d8f"})),
    "<slug:slug>/edit/translations": Row(
        A_ADMINS, lambda w: (f"/{w.a.slug}/edit/translations", {"fr-name": "Idée", "fr-description": "Ensemble"})
    ),
    # A receipt picked on the expense form is kept for its uploader (anyone who may submit an expense).
    "<slug:slug>/expenses/receipts/upload": Row(
        SIGNED_IN,
        lambda w: (f"/{w.a.slug}/expenses/receipts/upload", {"prefix": "items-0", "items-0-receipt": pdf("r.pdf")}),
    ),
    # Removing only ever touches the caller's own kept receipts (here: another user's id changes nothing).
    "<slug:slug>/expenses/receipts/remove": Row(
        SIGNED_IN,
        lambda w: (f"/{w.a.slug}/expenses/receipts/remove", {"prefix": "items-0", "items-0-pending": "rcu_nothing"}),
    ),
    "<slug:slug>/admins": Row(
        A_ADMINS, lambda w: (f"/{w.a.slug}/admins", {"action": "invite", "email": "friend@example.org"})
    ),
    "<slug:slug>/admin/applications/<str:public_id>/approve": Row(
        HOST, lambda w: (f"/{w.host.slug}/admin/applications/{w.application_id}/approve", {})
    ),
    "<slug:slug>/admin/applications/<str:public_id>/reject": Row(
        HOST, lambda w: (f"/{w.host.slug}/admin/applications/{w.application_id}/reject", {"reason": "No"})
    ),
    "<slug:slug>/admin/settings": Row(HOST, lambda w: (f"/{w.host.slug}/admin/settings", {})),
    # Events (issue 12)
    "<slug:slug>/events/new": Row(
        A_ADMINS,
        lambda w: (
            f"/{w.a.slug}/events/new",
            {
                "title": "Picnic",
                "starts_at": "2030-06-01T12:00",
                "ends_at": "2030-06-01T15:00",
                "ticket_name": "Free",
                "ticket_price": "0",
                "ticket_quantity": "20",
                "ticket_max_per_order": "2",
            },
        ),  # fmt: skip
    ),
    "<slug:slug>/events/<slug:event_slug>/": Row(
        EVERYONE,
        lambda w: (
            w.event_url,
            {
                f"qty_{w.ticket_type.public_id}": "1",
                f"{w.ticket_type.public_id}_0_name": "Bo",
                "name": "Bo",
                "email": "bo@example.org",
                "form_token": "matrix",
            },
        ),  # fmt: skip
    ),
    "<slug:slug>/events/<slug:event_slug>/door": Row(
        A_ADMINS, lambda w: (w.event_url + "door", {"code": w.ticket_code})
    ),
    "<slug:slug>/events/<slug:event_slug>/attendees": Row(
        A_ADMINS, lambda w: (w.event_url + "attendees", {"email": w.stranger.email})
    ),
    # The signed "this was me" link of a ticket email: whoever holds it (that mailbox) may confirm.
    "events/registrations/<str:public_id>/<str:token>": Row(
        EVERYONE,
        lambda w: (
            f"/events/registrations/{w.order.public_id}/{registrations.confirm_token(w.order, 'ada@example.org')}",
            {},
        ),
    ),
    "<slug:slug>/events/<slug:event_slug>/tickets/new": Row(
        A_ADMINS,
        lambda w: (
            w.event_url + "tickets/new",
            {"name": "Reduced", "price": "5", "quantity": "10", "max_per_order": "2"},
        ),
    ),
    "<slug:slug>/events/<slug:event_slug>/look": Row(
        A_ADMINS, lambda w: (w.event_url + "look", {"accent_color": "#1a4d8f"})
    ),
    "<slug:slug>/events/<slug:event_slug>/waiting": Row(
        EVERYONE,
        lambda w: (
            w.event_url + "waiting",
            {"ticket_type": w.ticket_type.public_id, "name": "Wu", "email": "wu@example.org"},
        ),
    ),
    # Cancelling a free registration moves no money: the collective's admins (paid orders also need 2FA).
    "<slug:slug>/events/<slug:event_slug>/orders/<str:public_id>/refund": Row(
        A_ADMINS, lambda w: (w.event_url + f"orders/{w.order.public_id}/refund", {})
    ),
    "<slug:slug>/admin/bank/accounts": Row(
        HOST, lambda w: (f"/{w.host.slug}/admin/bank/accounts", {"iban": "BE62510007547061", "beneficiary": "Savings"})
    ),
    "<slug:slug>/admin/bank/upload": Row(HOST, lambda w: (f"/{w.host.slug}/admin/bank/upload", _statement_upload(w))),
    "<slug:slug>/admin/bank/lines/<str:public_id>/do/<str:action>": Row(
        HOST, lambda w: (f"/{w.host.slug}/admin/bank/lines/{w.bank_line.public_id}/do/leave", {})
    ),
    "<slug:slug>/updates/new": Row(
        A_ADMINS,
        lambda w: (
            f"/{w.a.slug}/updates/new",
            {"language": "en", "title": "News", "body": "x", "theme": "news", "visibility": "public"},
        ),
    ),
    "<slug:slug>/updates/<str:public_id>/translate": Row(
        A_ADMINS,
        lambda w: (f"/{w.a.slug}/updates/{w.story.public_id}/translate", {"language": "fr", "title": "T", "body": "B"}),
    ),
    # Refused editors get the story page back with the refusal as a message.
    "<slug:slug>/updates/<str:public_id>/<str:action>": Row(
        A_ADMINS, lambda w: (f"/{w.a.slug}/updates/{w.story.public_id}/publish", {}), refused_as={302}
    ),
    "<slug:slug>/follow": Row(SIGNED_IN, lambda w: (f"/{w.a.slug}/follow", {})),
    # The unsubscribe link of a story email: whoever holds it.
    "stories/unsubscribe/<str:token>": Row(EVERYONE, lambda w: (f"/stories/unsubscribe/{w.follow.token}", {})),
    "hosts/apply": Row(
        SIGNED_IN,
        lambda w: (
            "/hosts/apply",
            {
                "name": "Liège Ensemble",
                "slug": "liege-ensemble",
                "legal_name": "Liège Ensemble ASBL",
                "enterprise_number": "0403.170.701",
                "iban": "BE68539007547034",
                "currency": "EUR",
                "default_host_fee_percent": "5",
                "languages": ["fr"],
            },
        ),  # fmt: skip
    ),
    "hosts/requests/<str:public_id>/<str:action>": Row(
        {"staff"}, lambda w: (f"/hosts/requests/{w.host_request.public_id}/approve", {})
    ),
}


# --- the routes, generated ---------------------------------------------------------------------------------
def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _reads_post(view) -> bool:
    cls = getattr(view, "view_class", None)
    if cls is not None:
        return hasattr(cls, "post")
    try:
        return "POST" in inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return True  # cannot tell: it must have a row


def state_changing_pages() -> set[str]:
    return {
        route
        for route, view in _walk(get_resolver().url_patterns)
        if not route.startswith(NOT_PAGES) and _reads_post(view)
    }


def state_changing_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("post", "patch", "put", "delete")
    }


def show_routes() -> str:
    """`python -c "from tests.security.test_matrix import show_routes; print(show_routes())"` (with Django set up)."""
    return "\n".join(sorted(state_changing_pages() | state_changing_operations()))


def test_every_route_has_an_expectation():
    missing = sorted((state_changing_pages() - set(PAGES)) | (state_changing_operations() - set(API)))
    assert not missing, f"add a row to PAGES or API in {__file__} for: {missing}"
    stale = sorted((set(PAGES) - state_changing_pages()) | (set(API) - state_changing_operations()))
    assert not stale, f"rows for routes that no longer exist: {stale}"


# --- playing the matrix --------------------------------------------------------------------------------------
def _tables() -> list[tuple[str, str]]:
    """(table, columns) of our models, minus the tables any request touches and the columns it bumps."""
    out = []
    for model in apps.get_models():
        if not model.__module__.startswith("opencity.") or model._meta.label_lower in VOLATILE:
            continue
        qn = connection.ops.quote_name
        columns = [
            qn(f.column)
            for f in model._meta.concrete_fields
            if f.attname not in ("last_login", "last_used_at", "totp_last_step")
        ]
        out.append((qn(model._meta.db_table), ", ".join(columns)))
    return out


def _fingerprint() -> str:
    """A digest of every row of our tables: equal means nothing changed. One query counts every table; only
    non-empty ones are read row by row (an insert into an empty one shows in the counts)."""
    tables = _tables()
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t})" for t, _c in tables))
        counts = cursor.fetchone()
        digest.update(repr(counts).encode())
        for (table, columns), count in zip(tables, counts, strict=True):
            if count:
                cursor.execute(f"SELECT {columns} FROM {table} ORDER BY 1")  # noqa: S608 - our own table names
                digest.update(repr(cursor.fetchall()).encode())
    return digest.hexdigest()


def _call(client, w, row: Row, headers: dict, method: str, *, json_body: bool):
    url, data = row.request(w)
    if json_body:
        return getattr(client, method)(url, json.dumps(data), content_type="application/json", **headers)
    return getattr(client, method)(url, data, **headers)


def _is_login_redirect(response) -> bool:
    """How pages refuse someone who must first sign in, or first turn on two-factor (money pages)."""
    where = response.get("Location", "")
    return response.status_code == 302 and (
        "/accounts/login/" in where or where.endswith("#two-factor") or "/accounts/confirm-code/" in where
    )


class _Rollback(Exception):
    pass


def _play(w: MatrixWorld, rows: dict[str, Row], *, api_call: bool, api_token=None) -> list[str]:
    """Every (row, role) against the same world: each request runs in a savepoint rolled back afterwards,
    so the world is pristine for the next one and one fingerprint of it serves every comparison."""
    pristine = _fingerprint()
    clients = {}
    for role in ROLES:
        clients[role] = client = Client()
        user = w.user(role)
        if user is not None and not api_call:
            client.force_login(user)
    failures = []
    for key, row in sorted(rows.items()):
        method = key.split()[0].lower() if api_call else "post"
        for role in ROLES:
            user = w.user(role)
            w.current = user
            headers = {"HTTP_AUTHORIZATION": api_token(user)} if user is not None and api_call else {}
            if headers and user.totp_enabled:  # money operations need a fresh code with the token (issue 8)
                headers.update(otp_header(user))
            try:
                with transaction.atomic():
                    response = _call(clients[role], w, row, headers, method, json_body=row.json and api_call)
                    changed = _fingerprint() != pristine if role not in row.allowed else False
                    raise _Rollback
            except _Rollback:
                pass
            status = response.status_code
            if role in row.allowed:
                if not 200 <= status < 400:
                    failures.append(f"{key} — {role}: allowed, got {status}")
                continue
            refused = status in {401, 403, 404} | row.refused_as or (not api_call and _is_login_redirect(response))
            if not refused:
                failures.append(f"{key} — {role}: should be refused, got {status}")
            elif changed:
                failures.append(f"{key} — {role}: refused with {status} but the database changed")
    return failures


def test_api_operations(api_token, settings):
    settings.DEMO_MODE = True
    failures = _play(MatrixWorld(), API, api_call=True, api_token=api_token)
    assert not failures, "\n".join(failures)


def test_pages(settings):
    settings.DEMO_MODE = True
    failures = _play(MatrixWorld(), PAGES, api_call=False)
    assert not failures, "\n".join(failures)


def test_the_fingerprint_sees_an_update_and_an_insert(collective):
    before = _fingerprint()
    Tier.objects.create(collective=collective, name="T", slug="t")
    inserted = _fingerprint()
    Tier.objects.filter(slug="t").update(name="U")
    assert len({before, inserted, _fingerprint()}) == 3
