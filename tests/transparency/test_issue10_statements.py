"""Issue 10: the host's own /<host>/transactions shows the host's own money (the fees it collected), and a
payout file's bank fee sits under the collective's payout from that file."""

import re

import pytest

from opencity.expenses import payouts
from tests.contributions.helpers import give
from tests.expenses.conftest import World, approved, fund

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo(settings):
    settings.DEMO_MODE = True
    settings.STRIPE_SECRET_KEY = ""


def test_the_hosts_own_transactions_show_the_fees_it_collected(client, collective):
    give(collective, amount=1000)  # host fee 8 % = €0.80
    host = collective.host
    html = client.get(f"/{host.slug}/transactions").content.decode()
    assert "No transactions yet" not in html
    body = html[html.index("<tbody") : html.rindex("</tbody>")]
    assert "+€0.80" in body
    assert collective.name in body  # who paid the fee: the collective, not the host itself
    assert "€0.80" in html[: html.index("<table")]  # the balance today: the fees collected
    csv = b"".join(client.get(f"/{host.slug}/transactions?format=csv").streaming_content).decode()
    assert "0.80" in csv


def test_a_payout_files_bank_fee_sits_under_its_payout(client):
    world = World()
    a = world.collective
    expense = approved(a, world.submitter, 10_000)
    fund(world.other_collective, 50_000)
    approved(world.other_collective, world.submitter, 5_000)
    batch = payouts.payout_batch_create(host=world.host, by=world.host_admin)
    payouts.payout_batch_mark_sent(batch=batch, by=world.host_admin)
    payouts.payout_batch_confirm_paid(batch=batch, by=world.host_admin, bank_fee=30)
    give(a, amount=700)  # a later journal, so the fee is not simply next to the payout by date order
    html = client.get(f"/{a.slug}/transactions").content.decode()
    groups = re.findall(r'<tbody class="journal" id="([^"]+)">(.*?)</tbody>', html, re.S)
    with_fee = [body for _, body in groups if "Bank fee" in body or "bank_fee" in body or "payout file" in body]
    assert len(with_fee) == 1
    body = with_fee[0]
    assert "−€100.00" in body or "-€100.00" in body  # the payout itself, in the same group
    assert 'class="fee"' in body
    assert expense.public_id  # the payout is this expense's
