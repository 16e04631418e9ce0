"""Hypothesis drives random sequences of money movements; every ledger invariant must hold after each step."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule, run_state_machine_as_test

from opencity.ledger import services as ledger
from opencity.ledger.checks import ledger_breaches
from opencity.ledger.models import Account, AccountKind
from tests.conftest import make_collective
from tests.ledger.helpers import contribute, key, spend

amounts = st.integers(min_value=1, max_value=50_000)


def _net_by_collective(journal) -> dict[int, int]:
    net: dict[int, int] = {}
    for t in journal.transfers.select_related("debit_account", "credit_account"):
        if t.credit_account.kind == AccountKind.COLLECTIVE_FUNDS:
            net[t.credit_account.collective_id] = net.get(t.credit_account.collective_id, 0) + t.amount
        if t.debit_account.kind == AccountKind.COLLECTIVE_FUNDS:
            net[t.debit_account.collective_id] = net.get(t.debit_account.collective_id, 0) - t.amount
    return net


def make_machine(host, collectives):
    from tests.conftest import enable_2fa

    host_admin = enable_2fa(host.admins.first())
    admins = {c.pk: enable_2fa(c.admins.first()) for c in collectives}

    class LedgerMachine(RuleBasedStateMachine):
        journals = Bundle("journals")

        def __init__(self):
            super().__init__()
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self.expected = {c.pk: 0 for c in collectives}

        def teardown(self):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

        def _apply(self, journal):
            for cid, delta in _net_by_collective(journal).items():
                self.expected[cid] += delta
            return journal

        @rule(
            target=journals,
            c=st.sampled_from(collectives),
            amount=amounts,
            fee=st.integers(0, 300),
            anonymous=st.booleans(),
        )
        def contribution(self, c, amount, fee, anonymous):
            fee = min(fee, amount // 2)
            return self._apply(contribute(c, amount, fee=fee, anonymous=anonymous))

        @rule(target=journals, c=st.sampled_from(collectives), amount=amounts, charge=st.booleans())
        def added_funds(self, c, amount, charge):
            return self._apply(
                ledger.added_funds_record(
                    collective=c,
                    amount=amount,
                    source="sponsor",
                    description="grant",
                    charge_host_fee=charge,
                    by=host_admin,
                )
            )

        @rule(c=st.sampled_from(collectives), amount=amounts)
        def expense(self, c, amount):
            if amount > self.expected[c.pk]:
                with pytest.raises(ledger.InsufficientFunds):
                    spend(c, amount)
            else:
                self._apply(spend(c, amount))

        @rule(
            target=journals, giver=st.sampled_from(collectives), receiver=st.sampled_from(collectives), amount=amounts
        )
        def gift(self, giver, receiver, amount):
            if giver.pk == receiver.pk:
                return None
            args = dict(
                from_collective=giver, to_collective=receiver, amount=amount, description="gift", by=admins[giver.pk]
            )
            if amount > self.expected[giver.pk]:
                with pytest.raises(ledger.InsufficientFunds):
                    ledger.collective_transfer(**args)
                return None
            return self._apply(ledger.collective_transfer(**args))

        @rule(journal=consumes(journals))
        def reversal(self, journal):
            if journal is None:
                return
            net = _net_by_collective(journal)
            covered = all(self.expected[cid] - delta >= 0 for cid, delta in net.items())
            if not covered:
                with pytest.raises(ledger.InsufficientFunds):
                    ledger.journal_reverse(journal=journal, idempotency_key=key("rev"), reason="test")
                return
            self._apply(ledger.journal_reverse(journal=journal, idempotency_key=key("rev"), reason="test"))

        @rule(journal=journals)
        def retry_moves_nothing(self, journal):
            if journal is None:
                return
            again = ledger.post_journal(
                host=host,
                idempotency_key=journal.idempotency_key,
                kind=journal.kind,
                legs=[
                    ledger.Leg(
                        ledger.funds_account(collectives[0]), ledger.host_account(host, AccountKind.BANK), 1, "expense"
                    )
                ],
            )
            assert again.pk == journal.pk

        @invariant()
        def balances_match_the_model(self):
            for c in collectives:
                assert ledger.funds_account(c).balance == self.expected[c.pk]

        @invariant()
        def books_are_whole(self):
            breaches, _ = ledger_breaches()
            assert breaches == []
            assert sum(a.balance for a in Account.objects.filter(host=host).with_stripes()) == 0

    return LedgerMachine


@pytest.mark.django_db
def test_random_money_movements_keep_the_books_whole(host):
    collectives = [make_collective(host) for _ in range(3)]
    machine = make_machine(host, collectives)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=12,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            database=None,
        ),
    )
