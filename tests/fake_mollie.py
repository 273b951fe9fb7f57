"""A local server speaking the documented subset of Mollie's Payments API v2.

POST /v2/payments, GET and DELETE (cancel) /v2/payments/{id}, with a Bearer API key (test_...);
``status`` of a payment is changed by the test, as a citizen paying at Mollie would.
GET /checkout/{id} is the payment page, in the payment's ``locale`` (Mollie uses
the browser's language only when the payment has none).

Create refuses what Mollie's API reference (docs.mollie.com, "Create payment",
Payments API v2) refuses, with 422 and Mollie's error body
``{"status", "title", "detail", "field"}``:

- ``amount`` an object with an ISO 4217 ``currency`` (EUR: what this account
  has) and ``value`` a string with exactly the currency's two decimals, no
  thousands separator ("Non-string values are not accepted"), at least 0.01;
- ``description`` a non-empty string (longer than 255 characters is not
  refused: Mollie truncates it);
- ``redirectUrl`` an absolute http(s) address; ``webhookUrl``, if given, too
  (that Mollie must reach it, so never localhost, cannot hold on this machine);
- ``locale``, if given, one of the values the reference lists;
- ``metadata`` at most about 1 kB as JSON.
"""

from fake_http import JsonHandler
from fake_http import LocalServer
from urllib.parse import urlsplit
import html
import json
import re
import secrets
import threading


# The ``locale`` values of Mollie's API reference (Payments API v2, with the
# later additions en_BE, en_NL, fr_LU and de_LU from its changelog).
LOCALES = frozenset(
    [
        "en_US",
        "en_GB",
        "en_BE",
        "en_NL",
        "nl_NL",
        "nl_BE",
        "de_DE",
        "de_AT",
        "de_CH",
        "de_LU",
        "fr_FR",
        "fr_BE",
        "fr_LU",
        "es_ES",
        "ca_ES",
        "pt_PT",
        "it_IT",
        "nb_NO",
        "sv_SE",
        "fi_FI",
        "da_DK",
        "is_IS",
        "hu_HU",
        "pl_PL",
        "lv_LV",
        "lt_LT",
    ]
)
METADATA_BYTES = 1024
DESCRIPTION_CHARACTERS = 255


def _absolute_url(value):
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def refusal(body):
    """(detail, field) when Mollie refuses this create body, else None."""
    if not isinstance(body, dict):
        return "The request body is not a JSON object", None
    amount = body.get("amount")
    if not isinstance(amount, dict):
        return "The amount is required", "amount"
    if amount.get("currency") != "EUR":
        return "The currency is not supported", "amount.currency"
    value = amount.get("value")
    if not isinstance(value, str) or not re.fullmatch(r"\d+\.\d{2}", value):
        return (
            "The amount contains an invalid value; use a string with 2 decimals",
            "amount.value",
        )
    if value == "0.00" or float(value) < 0.01:
        return "The amount is lower than the minimum", "amount"
    description = body.get("description")
    if not isinstance(description, str) or not description.strip():
        return "The description is required", "description"
    if "redirectUrl" not in body:
        return "The redirect URL is required", "redirectUrl"
    if not _absolute_url(body["redirectUrl"]):
        return "The redirect URL is invalid", "redirectUrl"
    if body.get("webhookUrl") is not None and not _absolute_url(body["webhookUrl"]):
        return "The webhook URL is invalid", "webhookUrl"
    if "locale" in body and body["locale"] not in LOCALES:
        return "The locale is invalid", "locale"
    if len(json.dumps(body.get("metadata")).encode()) > METADATA_BYTES:
        return "The metadata is too large; use up to 1kB", "metadata"
    return None


class FakeMollie(LocalServer):
    def __init__(self, api_key):
        self.api_key = api_key
        self.payments = {}
        self.created = []  # the bodies of create calls
        self.refused = []  # (field, body) of create calls Mollie would refuse
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
                try:
                    body = json.loads(
                        self.rfile.read(int(self.headers.get("Content-Length") or 0))
                    )
                except ValueError:
                    return self.problem(400, "Bad Request", "The JSON is invalid")
                refused = refusal(body)
                if refused:
                    with fake.lock:
                        fake.refused.append((refused[1], body))
                    return self.problem(422, "Unprocessable Entity", *refused)
                amount = body["amount"]
                payment_id = "tr_" + secrets.token_hex(5)
                base = f"http://{self.headers['Host']}"
                payment = {
                    "resource": "payment",
                    "id": payment_id,
                    "mode": "test",
                    "amount": amount,
                    "description": body["description"][:DESCRIPTION_CHARACTERS],
                    "method": body.get("method"),
                    "metadata": body.get("metadata"),
                    "locale": body.get("locale"),
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

            def checkout(self, payment_id):
                """The payment page: in the payment's locale, else the browser's."""
                payment = fake.payments.get(payment_id)
                if payment is None:
                    return self.problem(404, "Not Found", "No such payment")
                browser = (self.headers.get("Accept-Language") or "en")[:2]
                language = (payment["locale"] or browser)[:2]
                pay = {"nl": "Betaal", "en": "Pay"}.get(language, "Pay")
                page = (
                    f'<!DOCTYPE html><html lang="{html.escape(language)}">'
                    f"<title>Mollie</title><h1>{pay} € {payment['amount']['value']}"
                    f"</h1><p>{html.escape(payment['description'])}</p></html>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
                return None

            def do_GET(self):
                checkout = re.fullmatch(r"/checkout/(tr_\w+)", self.path.split("?")[0])
                if checkout:  # the citizen's browser: no API key
                    return self.checkout(checkout.group(1))
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
