"""A local server speaking the documented subset of Mollie's Payments API v2.

POST /v2/payments, GET and DELETE (cancel) /v2/payments/{id}, with a Bearer API key (test_...);
amounts as {"currency": "EUR", "value": "24.50"}. ``status`` of a payment is
changed by the test, as a citizen paying at Mollie would.
"""

from fake_http import JsonHandler
from fake_http import LocalServer
import json
import re
import secrets
import threading


class FakeMollie(LocalServer):
    def __init__(self, api_key):
        self.api_key = api_key
        self.payments = {}
        self.created = []  # the bodies of create calls
        self.fetched = []  # the ids asked for with GET
        self.down = False
        self.lock = threading.Lock()
        fake = self

        class Handler(JsonHandler):
            def problem(self, status, title, detail, field=None):
                body = {"status": status, "title": title, "detail": detail}
                if field:
                    body["field"] = field
                self.answer(status, body)

            def check(self):
                if fake.down:
                    self.problem(503, "Service Unavailable", "Try again later")
                    return False
                if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                    self.problem(401, "Unauthorized Request", "Failed to authenticate")
                    return False
                return True

            def do_POST(self):
                if not self.check():
                    return None
                if self.path.rstrip("/") != "/v2/payments":
                    return self.problem(404, "Not Found", "No such resource")
                body = json.loads(
                    self.rfile.read(int(self.headers.get("Content-Length") or 0))
                )
                amount = body.get("amount") or {}
                if amount.get("currency") != "EUR" or not re.fullmatch(
                    r"\d+\.\d{2}", str(amount.get("value", ""))
                ):
                    return self.problem(
                        422, "Unprocessable Entity", "The amount is invalid", "amount"
                    )
                for field in ("description", "redirectUrl"):
                    if not body.get(field):
                        return self.problem(
                            422, "Unprocessable Entity", f"{field} is required", field
                        )
                payment_id = "tr_" + secrets.token_hex(5)
                base = f"http://{self.headers['Host']}"
                payment = {
                    "resource": "payment",
                    "id": payment_id,
                    "mode": "test",
                    "amount": amount,
                    "description": body["description"],
                    "method": body.get("method"),
                    "metadata": body.get("metadata"),
                    "status": "open",
                    "redirectUrl": body["redirectUrl"],
                    "webhookUrl": body.get("webhookUrl"),
                    "_links": {
                        "self": {
                            "href": f"{base}/v2/payments/{payment_id}",
                            "type": "application/hal+json",
                        },
                        "checkout": {
                            "href": f"{base}/checkout/{payment_id}",
                            "type": "text/html",
                        },
                    },
                }
                with fake.lock:
                    fake.payments[payment_id] = payment
                    fake.created.append(body)
                return self.answer(201, payment)

            def do_GET(self):
                if not self.check():
                    return None
                match = re.fullmatch(r"/v2/payments/(tr_\w+)", self.path.split("?")[0])
                payment = fake.payments.get(match.group(1)) if match else None
                if match:
                    with fake.lock:
                        fake.fetched.append(match.group(1))
                if payment is None:
                    return self.problem(
                        404, "Not Found", "No payment exists with this token."
                    )
                return self.answer(200, payment)

            def do_DELETE(self):
                if not self.check():
                    return None
                match = re.fullmatch(r"/v2/payments/(tr_\w+)", self.path.split("?")[0])
                payment = fake.payments.get(match.group(1)) if match else None
                if payment is None:
                    return self.problem(
                        404, "Not Found", "No payment exists with this token."
                    )
                if payment["status"] != "open":
                    return self.problem(
                        422, "Unprocessable Entity", "The payment cannot be canceled"
                    )
                payment["status"] = "canceled"
                return self.answer(200, payment)

        self.serve(Handler)
