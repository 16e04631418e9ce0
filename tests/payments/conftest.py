import pytest

from tests.payments.fake_stripe import FakeStripe, event, signed

WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture(scope="session")
def _fake_stripe_server():
    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_stripe(_fake_stripe_server, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = _fake_stripe_server.url
    settings.DEMO_MODE = False
    _fake_stripe_server.requests.clear()
    _fake_stripe_server.fail_next = 0
    _fake_stripe_server.next_refund_fee_refunded = 0
    return _fake_stripe_server


@pytest.fixture
def deliver(client):
    """deliver(type, obj, event_id=None) -> response: POST a signed event to /webhooks/stripe."""

    def _deliver(type_, obj, event_id=None, http=None):
        body, header = signed(event(type_, obj, event_id), WEBHOOK_SECRET)
        return (http or client).post(
            "/webhooks/stripe", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )

    return _deliver


def deliver_concurrently(body: str, header: str, n: int = 20) -> list[int]:
    """POST the same signed webhook from `n` threads released at once; the status codes they got."""
    import threading

    from django.db import connection
    from django.test import Client

    statuses, barrier = [], threading.Barrier(n)

    def worker():
        try:
            barrier.wait()
            r = Client().post("/webhooks/stripe", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
            statuses.append(r.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses
