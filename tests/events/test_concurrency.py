"""The ticket rush: 300 buyers at once, each order its own transaction, 100 places in two ticket types.

300 threads are started and released together by one barrier; each buyer then calls `order_create` (its own
transaction) on its own database connection. A gate (semaphore) lets at most CONNECTIONS buyers hold a
connection at the same time — PostgreSQL here allows 100 for everyone — as a web server's worker pool would;
the others queue for it, exactly like requests waiting for a worker. On PostgreSQL the ticket-type rows are
locked in id order (no deadlock even for orders that take both types); on SQLite the IMMEDIATE transactions
serialise writers. Both give exactly 100 tickets, and every other buyer is told "sold out".

Two doors checking the same ticket at the same moment: one lets it in, the other is told it was used.
"""

import threading

import pytest
from django.db import connection

from opencity.core.errors import DomainError
from opencity.events import checkin, orders
from opencity.events.models import Order, Ticket
from opencity.events.orders import AttendeeIn, OrderRequest
from tests.conftest import make_user
from tests.events.conftest import add_type, make_event

pytestmark = pytest.mark.django_db(transaction=True)

BUYERS, CONNECTIONS = 300, 40


class Gate:
    """A bounded pool of database connections, counting how many buyers were inside at once."""

    def __init__(self, size: int):
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self.inside = self.peak = 0

    def __enter__(self):
        self._slots.acquire()
        with self._lock:
            self.inside += 1
            self.peak = max(self.peak, self.inside)

    def __exit__(self, *exc):
        connection.close()  # give the connection back before the slot, like a request ending
        with self._lock:
            self.inside -= 1
        self._slots.release()


def rush(event, types, buyers: int = BUYERS, connections: int = CONNECTIONS):
    """Every buyer wants one ticket; every third wants one of each type, listed in the "wrong" order."""
    a, b = types
    barrier = threading.Barrier(buyers)
    gate = Gate(connections)
    results: list[str | None] = [None] * buyers

    def buy(i: int) -> None:
        wanted = [b, a] if i % 3 == 0 else [a if i % 2 else b]
        data = OrderRequest(
            attendees=[AttendeeIn(ticket_type=t.public_id, name=f"Buyer {i}") for t in wanted],
            email=f"buyer{i}@example.org",
        )
        try:
            barrier.wait(timeout=120)  # all 300 buyers start at the same moment
            with gate:
                orders.order_create(event=event, data=data)
            results[i] = "ok"
        except DomainError as exc:
            results[i] = exc.code
        except Exception as exc:  # noqa: BLE001 - any other outcome (deadlock, lock timeout) fails the test
            results[i] = repr(exc)

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(buyers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(300)
    assert not any(th.is_alive() for th in threads), "a buyer never finished (deadlock?)"
    return results, gate


def test_300_buyers_100_places_two_types(collective):
    event = make_event(collective)
    types = (
        add_type(event, name="Standard", quantity=60, max_per_order=4),
        add_type(event, name="Reduced", quantity=40),
    )
    results, gate = rush(event, types)
    assert len(results) == BUYERS
    assert set(results) <= {"ok", "sold_out"}, [r for r in results if r not in ("ok", "sold_out")][:3]
    assert Ticket.objects.count() == 100
    assert Ticket.objects.filter(ticket_type=types[0]).count() == 60
    assert Ticket.objects.filter(ticket_type=types[1]).count() == 40
    orders_made = Order.objects.count()
    assert results.count("ok") == orders_made and results.count("sold_out") == BUYERS - orders_made
    assert results.count("sold_out") >= BUYERS - 100  # at most 100 orders can have got a place
    # Really concurrent, and never more connections than the pool allows.
    assert 1 < gate.peak <= CONNECTIONS


def test_two_doors_same_ticket_at_once(collective):
    event = make_event(collective)
    t = add_type(event)
    order = orders.order_create(
        event=event,
        data=OrderRequest(attendees=[AttendeeIn(ticket_type=t.public_id, name="Amina")], email="a@example.org"),
    )
    code = order.tickets.get().code
    helpers = [make_user(), make_user()]
    for h in helpers:
        event.helpers.add(h)
    for _round in range(3):
        Ticket.objects.update(checked_in_at=None, checked_in_by=None)
        barrier = threading.Barrier(2)
        outcomes = [None, None]

        def door(i):
            try:
                barrier.wait(timeout=30)
                outcomes[i] = checkin.ticket_check_in(event=event, code=code, by=helpers[i], door=f"door {i}").outcome
            finally:
                connection.close()

        threads = [threading.Thread(target=door, args=(i,)) for i in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        assert sorted(outcomes) == ["used", "valid"]
    ticket = Ticket.objects.get()
    assert ticket.checked_in_at is not None and ticket.checked_in_by in helpers
