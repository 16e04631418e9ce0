"""A local fake of the Stripe API: a threaded http.server on 127.0.0.1 (random port) serving JSON shaped like
real Stripe objects. The real `stripe` library talks to it through STRIPE_API_BASE.

Test helpers (`pay_session`, `renew`, `refund`, `dispute`, `event`) change its state the way a customer, a
bank or a Stripe admin would, and build the matching events, signed like Stripe signs them.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import stripe

_seq = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}_test{next(_seq):08d}"


def _nest(pairs) -> dict:
    """Stripe's form encoding (`a[b][0][c]=v`) back into nested dicts (list indexes stay dict keys)."""
    out: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = out
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return out


class FakeStripe:
    def __init__(self):
        self.objects: dict[str, dict] = {}
        self.idempotent: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict, dict]] = []
        self.lock = threading.Lock()
        self.fail_next = 0
        self.next_refund_fee_refunded = 0  # the fee Stripe returns on the next refund created through the API
        self.next_refund_status = "succeeded"  # "pending" for a refund that takes days (some cards, SEPA)
        # A slow Stripe: with a gate, a refund request is held (the refund not made) until the test opens it.
        self.refund_gate: threading.Event | None = None
        self.refund_held = threading.Event()  # set when a refund request is being held at the gate
        self.refund_gate_opened = False  # the held refund went on because the gate opened (not a 60 s timeout)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", _id("req"))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str):
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                params = _nest(parse_qsl(url.query, keep_blank_values=True) + parse_qsl(body, keep_blank_values=True))
                status, payload = fake.dispatch(method, url.path, params, dict(self.headers))
                self._reply(status, payload)

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

            def do_DELETE(self):
                self._handle("DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # --- HTTP -----------------------------------------------------------------------------------------

    def dispatch(self, method: str, path: str, params: dict, headers: dict):
        if method == "POST" and path == "/v1/refunds" and self.refund_gate is not None:
            self.refund_held.set()  # outside the lock: other requests are answered meanwhile
            self.refund_gate_opened = self.refund_gate.wait(timeout=60)
        with self.lock:
            self.requests.append((method, path, params, headers))
            if self.fail_next:
                self.fail_next -= 1
                return 500, {"error": {"type": "api_error", "message": "fake outage"}}
            key = headers.get("Idempotency-Key")
            if method == "POST" and key and key in self.idempotent:
                return 200, copy.deepcopy(self.idempotent[key])
            expand = [v for k, v in sorted(params.get("expand", {}).items())] if params.get("expand") else []
            status, body = self._route(method, path, params)
            if status == 200 and method == "POST" and key:
                self.idempotent[key] = copy.deepcopy(body)
            if status == 200:
                body = self._expand(copy.deepcopy(body), expand)
            return status, body

    def _route(self, method, path, params):
        m = re.fullmatch(
            r"/v1/(checkout/sessions|payment_intents|charges|balance_transactions|invoices|"
            r"subscriptions|disputes|refunds|invoice_payments)(?:/([^/]+))?(/cancel)?",
            path,
        )
        if not m:
            return 404, {"error": {"type": "invalid_request_error", "message": f"no route {path}"}}
        kind, oid, cancel = m.groups()
        if method == "POST" and kind == "checkout/sessions" and not oid:
            return 200, self._create_session(params)
        if method == "POST" and kind == "refunds":
            charge = self.objects.get(params.get("charge"))
            if charge is None or charge["amount_refunded"] + int(params.get("amount") or 0) > charge["amount"]:
                return 400, {"error": {"type": "invalid_request_error", "code": "charge_already_refunded"}}
            return 200, self._create_refund(params)
        if method == "GET" and kind == "invoice_payments" and not oid:
            pi = (params.get("payment") or {}).get("payment_intent")
            data = [
                copy.deepcopy(p)
                for o in self.objects.values()
                if o.get("object") == "invoice"
                for p in o.get("_payments", {}).get("data", [])
                if p["payment"].get("payment_intent") == pi
            ]
            return 200, {"object": "list", "data": data, "has_more": False, "url": "/v1/invoice_payments"}
        if method == "GET" and kind == "refunds" and not oid:
            data = [
                copy.deepcopy(self.objects[r]) for r in self.objects.get(params.get("charge"), {}).get("_refunds", [])
            ]
            return 200, {"object": "list", "data": data, "has_more": False, "url": "/v1/refunds"}
        if kind == "subscriptions" and oid and (method == "DELETE" or cancel):
            sub = self.objects.get(oid)
            if sub is None:
                return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing"}}
            sub["status"] = "canceled"
            sub["canceled_at"] = int(time.time())
            return 200, sub
        if method == "GET" and oid:
            obj = self.objects.get(oid)
            if obj is None:
                return 404, {
                    "error": {
                        "type": "invalid_request_error",
                        "code": "resource_missing",
                        "message": f"No such object: '{oid}'",
                    }
                }
            return 200, obj
        return 404, {"error": {"type": "invalid_request_error", "message": "unsupported"}}

    def _expand(self, body: dict, paths: list[str]) -> dict:
        for path in paths:
            parts = path.split(".")
            self._expand_in(body, parts)
        return body

    def _expand_in(self, node, parts):
        if not parts or not isinstance(node, dict):
            return
        head, rest = parts[0], parts[1:]
        value = node.get(head)
        if isinstance(value, list):
            for item in value:
                self._expand_in(item, rest) if rest else None
            return
        if isinstance(value, str) and value in self.objects:
            node[head] = copy.deepcopy(self.objects[value])
        elif head == "payments" and node.get("object") == "invoice":
            node[head] = copy.deepcopy(node.get("_payments", {"object": "list", "data": []}))
        self._expand_in(node.get(head), rest)

    # --- objects ---------------------------------------------------------------------------------------

    def _put(self, obj: dict) -> dict:
        self.objects[obj["id"]] = obj
        return obj

    def _create_session(self, p: dict) -> dict:
        sid = _id("cs")
        item = p["line_items"]["0"]["price_data"]
        return self._put(
            {
                "id": sid,
                "object": "checkout.session",
                "mode": p["mode"],
                "status": "open",
                "payment_status": "unpaid",
                "client_reference_id": p.get("client_reference_id"),
                "customer_email": p.get("customer_email"),
                "metadata": p.get("metadata", {}),
                "amount_total": int(item["unit_amount"]),
                "currency": item["currency"],
                "url": f"https://checkout.stripe.test/c/pay/{sid}",
                "success_url": p.get("success_url"),
                "cancel_url": p.get("cancel_url"),
                "payment_intent": None,
                "subscription": None,
                "invoice": None,
                "_subscription_data": p.get("subscription_data", {}),
                "_interval": item.get("recurring", {}).get("interval"),
                "livemode": False,
                "created": int(time.time()),
            }
        )

    def _charge(self, amount: int, currency: str, fee: int, metadata: dict) -> tuple[dict, dict]:
        bt = self._put(
            {
                "id": _id("txn"),
                "object": "balance_transaction",
                "amount": amount,
                "currency": currency,
                "fee": fee,
                "net": amount - fee,
                "type": "charge",
                "status": "available",
                "fee_details": [{"amount": fee, "currency": currency, "type": "stripe_fee"}],
            }
        )
        pi_id = _id("pi")
        charge = self._put(
            {
                "id": _id("ch"),
                "object": "charge",
                "amount": amount,
                "amount_captured": amount,
                "amount_refunded": 0,
                "currency": currency,
                "status": "succeeded",
                "paid": True,
                "captured": True,
                "refunded": False,
                "disputed": False,
                "balance_transaction": bt["id"],
                "payment_intent": pi_id,
                "metadata": metadata,
            }
        )
        pi = self._put(
            {
                "id": pi_id,
                "object": "payment_intent",
                "amount": amount,
                "amount_received": amount,
                "currency": currency,
                "status": "succeeded",
                "latest_charge": charge["id"],
                "metadata": metadata,
            }
        )
        return pi, charge

    def _invoice(self, sub: dict, amount: int, fee: int, reason: str) -> dict:
        pi, charge = self._charge(amount, sub["currency"], fee, {})
        inv_id = _id("in")
        payment = {
            "id": _id("inpay"),
            "object": "invoice_payment",
            "invoice": inv_id,
            "status": "paid",
            "amount_paid": amount,
            "payment": {"type": "payment_intent", "payment_intent": pi["id"]},
        }
        return self._put(
            {
                "id": inv_id,
                "object": "invoice",
                "status": "paid",
                "amount_paid": amount,
                "amount_due": amount,
                "currency": sub["currency"],
                "billing_reason": reason,
                "customer": sub["customer"],
                "parent": {
                    "type": "subscription_details",
                    "subscription_details": {"subscription": sub["id"], "metadata": sub["metadata"]},
                },
                "_payments": {"object": "list", "data": [payment], "has_more": False, "url": "/v1/invoice_payments"},
                "_charge": charge["id"],
            }
        )

    def _create_refund(self, p: dict) -> dict:
        """A refund (whole rest of the charge unless `amount`) with its balance transaction: Stripe keeps its
        fee (fee 0) unless `fee_refunded` (then a negative fee: money back)."""
        charge = self.objects[p["charge"]]
        amount = int(p.get("amount") or charge["amount"] - charge["amount_refunded"])
        fee_back = int(p.get("_fee_refunded") or self.next_refund_fee_refunded or 0)
        self.next_refund_fee_refunded = 0
        status = p.get("_status") or self.next_refund_status
        self.next_refund_status = "succeeded"
        bt = self._put(
            {
                "id": _id("txn"),
                "object": "balance_transaction",
                "amount": -amount,
                "currency": charge["currency"],
                "fee": -fee_back,
                "net": -amount + fee_back,
                "type": "refund",
                "reporting_category": "refund",
                "status": "available",
                "fee_details": [{"amount": -fee_back, "currency": charge["currency"], "type": "stripe_fee"}]
                if fee_back
                else [],
            }
        )
        refund = self._put(
            {
                "id": _id("re"),
                "object": "refund",
                "amount": amount,
                "currency": charge["currency"],
                "charge": charge["id"],
                "status": status,
                "balance_transaction": bt["id"],
                "payment_intent": charge["payment_intent"],
                "created": int(time.time()),
                "reason": None,
                "metadata": p.get("metadata") or {},
            }
        )
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        charge.setdefault("_refunds", []).append(refund["id"])
        return refund

    def _dispute_bt(self, charge: dict, amount: int, fee: int, category: str) -> dict:
        desc = "Dispute fee" if fee > 0 else "Dispute fee refund"
        return {
            "id": _id("txn"),
            "object": "balance_transaction",
            "amount": amount,
            "currency": charge["currency"],
            "fee": fee,
            "net": amount - fee,
            "type": "adjustment",
            "reporting_category": category,
            "status": "available",
            "fee_details": [{"amount": fee, "currency": charge["currency"], "type": "stripe_fee", "description": desc}]
            if fee
            else [],
        }

    # --- what customers, banks and Stripe do ---------------------------------------------------------

    def pay_session(self, session_id: str, *, fee: int = 0, period_end: int | None = None) -> dict:
        """The customer pays on Stripe's page. Returns the session (with its invoice for subscriptions)."""
        with self.lock:
            s = self.objects[session_id]
            if s["mode"] == "payment":
                pi, _ = self._charge(s["amount_total"], s["currency"], fee, s["metadata"])
                s["payment_intent"] = pi["id"]
            else:
                sub = self._put(
                    {
                        "id": _id("sub"),
                        "object": "subscription",
                        "status": "active",
                        "customer": _id("cus"),
                        "currency": s["currency"],
                        "metadata": s["_subscription_data"].get("metadata", {}),
                        "items": {
                            "object": "list",
                            "data": [
                                {
                                    "price": {
                                        "recurring": {"interval": s["_interval"]},
                                        "unit_amount": s["amount_total"],
                                    },
                                    "current_period_end": period_end or int(time.time()) + 30 * 86400,
                                }
                            ],
                        },
                    }
                )
                inv = self._invoice(sub, s["amount_total"], fee, "subscription_create")
                s["subscription"], s["invoice"] = sub["id"], inv["id"]
            s["status"], s["payment_status"] = "complete", "paid"
            return copy.deepcopy(s)

    def expire(self, session_id: str) -> dict:
        with self.lock:
            s = self.objects[session_id]
            s["status"] = "expired"
            return copy.deepcopy(s)

    def renew(self, subscription_id: str, *, fee: int = 0, period_end: int | None = None) -> dict:
        with self.lock:
            sub = self.objects[subscription_id]
            if period_end is not None:  # Stripe moves the period on when it bills the next one
                sub["items"]["data"][0]["current_period_end"] = period_end
            amount = sub["items"]["data"][0]["price"]["unit_amount"]
            return copy.deepcopy(self._invoice(sub, amount, fee, "subscription_cycle"))

    def refund(self, charge_id: str, amount: int | None = None, fee_refunded: int = 0) -> dict:
        """Refund from Stripe's dashboard (all that is left, or `amount`). Returns the charge."""
        with self.lock:
            self._create_refund({"charge": charge_id, "amount": amount, "_fee_refunded": fee_refunded})
            return copy.deepcopy(self.objects[charge_id])

    def refund_status(self, refund_id: str, status: str) -> dict:
        """Stripe updates a refund later: "succeeded" (a pending one went through) or "failed" (the money
        came back to the balance, e.g. the card was closed). Returns the refund."""
        with self.lock:
            refund = self.objects[refund_id]
            if status == "failed" and refund["status"] != "failed":
                charge = self.objects[refund["charge"]]
                charge["amount_refunded"] -= refund["amount"]
                charge["refunded"] = False
                refund["failure_reason"] = "expired_or_canceled_card"
            refund["status"] = status
            return copy.deepcopy(refund)

    def dispute(
        self,
        charge_id: str,
        status: str = "needs_response",
        dispute_id: str | None = None,
        *,
        fee: int = 1500,
        withdraw: bool = True,
        fee_returned: int = 0,
    ) -> dict:
        """Open a dispute (funds withdrawn at once with Stripe's dispute fee, as for card disputes), or move an
        existing one to `status`; "won" reinstates the funds (and `fee_returned` of the fee)."""
        with self.lock:
            charge = self.objects[charge_id]
            charge["disputed"] = True
            if dispute_id and dispute_id in self.objects:
                dp = self.objects[dispute_id]
                dp["status"] = status
                withdrawn = [bt for bt in dp["balance_transactions"] if bt["amount"] < 0]
                if status == "won" and withdrawn and len(dp["balance_transactions"]) == 1:
                    bt = self._dispute_bt(charge, dp["amount"], -fee_returned, "dispute_reversal")
                    dp["balance_transactions"].append(bt)
                    dp["is_charge_refundable"] = True
                return copy.deepcopy(dp)
            bts = [self._dispute_bt(charge, -charge["amount"], fee, "dispute")] if withdraw else []
            return copy.deepcopy(
                self._put(
                    {
                        "id": _id("dp"),
                        "object": "dispute",
                        "amount": charge["amount"],
                        "charge": charge_id,
                        "payment_intent": charge["payment_intent"],
                        "currency": charge["currency"],
                        "status": status,
                        "reason": "fraudulent",
                        "balance_transactions": bts,
                        "is_charge_refundable": False,
                        "created": int(time.time()),
                    }
                )
            )

    def cancel_subscription(self, subscription_id: str) -> dict:
        with self.lock:
            sub = self.objects[subscription_id]
            sub["status"] = "canceled"
            return copy.deepcopy(sub)

    def charge_of(self, obj: dict) -> str:
        """The charge id behind a paid session or invoice."""
        if obj["object"] == "invoice":
            return self.objects[obj["id"]]["_charge"]
        return self.objects[obj["payment_intent"]]["latest_charge"]


def event(type_: str, obj: dict, event_id: str | None = None) -> dict:
    clean = {k: v for k, v in obj.items() if not k.startswith("_")}
    return {
        "id": event_id or _id("evt"),
        "object": "event",
        "api_version": stripe.api_version,
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "type": type_,
        "data": {"object": clean},
        "request": {"id": None, "idempotency_key": None},
    }


def signed(payload: dict, secret: str, timestamp: int | None = None) -> tuple[bytes, str]:
    """The body and its Stripe-Signature header: t=<ts>,v1=<hex hmac_sha256(secret, f"{t}.{body}")>."""
    body = json.dumps(payload)
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)
    return body.encode(), header
