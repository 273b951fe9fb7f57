"""Text messages to citizens, through an HTTP gateway: CM.com or a generic one.

A transport, as MailHost is for mail: the notifications queue text messages
in the outbox (in the transaction of the change), and the delivery job sends
them through ``send`` and retries. CM.com's JSON API: POST
{"messages": {"authentication": {"producttoken"}, "msg": [{"from", "to":
[{"number"}], "body": {"type", "content"}, "reference"}]}}; the answer has
"errorCode" 0 when every message was accepted. The generic gateway takes
{"to", "from", "text", "reference"} with a Bearer token and answers 2xx.
"""

from collective.digitalebalie import credentials
from collective.digitalebalie.integrations.addresses import encrypted_or_local
from collective.digitalebalie.settings import setting
import json
import urllib.error
import urllib.request


CM_URL = "https://gw.cmtelecom.com/v1.0/message"
TIMEOUT = 15
# CM.com error codes that a retry cannot fix: bad sender, number or body, spam or blocked.
CM_PERMANENT = {301, 302, 303, 304, 305, 401, 402, 403}


class SmsError(Exception):
    def __init__(self, message, permanent=False):
        super().__init__(message)
        self.permanent = permanent


def gateway_name():
    return setting("sms_gateway", "none") or "none"


def sender():
    return setting("sms_sender", "Gemeente") or "Gemeente"


def _post(url, body, headers):
    if not encrypted_or_local(url):
        # The API key travels with every message: only encrypted (or on this machine).
        raise SmsError(f"the gateway address must start with https://: {url}")
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url,
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError) as error:
        raise SmsError(f"gateway unreachable: {error}") from None


def send_cm(url, key, to, text, reference):
    body = {
        "messages": {
            "authentication": {"producttoken": key},
            "msg": [
                {
                    "allowedChannels": ["SMS"],
                    "from": sender(),
                    "to": [{"number": "00" + to.lstrip("+")}],
                    "body": {"type": "auto", "content": text},
                    "reference": reference,
                }
            ],
        }
    }
    status, raw = _post(url or CM_URL, body, {})
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = {}
    code = answer.get("errorCode")
    if status == 200 and code == 0:
        return
    details = answer.get("details") or raw[:200].decode("utf-8", "replace")
    codes = {code} | {
        m.get("messageErrorCode") for m in answer.get("messages") or () if m
    }
    raise SmsError(
        f"CM.com HTTP {status}, error {code}: {details}",
        permanent=bool(codes & CM_PERMANENT),
    )


def send_generic(url, key, to, text, reference):
    if not url:
        raise SmsError("no address of the generic SMS gateway is set")
    body = {"to": to, "from": sender(), "text": text, "reference": reference}
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    status, raw = _post(url, body, headers)
    if 200 <= status < 300:
        return
    raise SmsError(
        f"gateway HTTP {status}: {raw[:200].decode('utf-8', 'replace')}",
        permanent=400 <= status < 500 and status not in (401, 403, 408, 429),
    )


GATEWAYS = {"cm": send_cm, "generic": send_generic}


def send(to, text, reference):
    """Send one text message now; raise SmsError when it was not accepted."""
    name = gateway_name()
    if name not in GATEWAYS:
        raise SmsError("no SMS gateway is set (Digitale Balie settings, Text messages)")
    GATEWAYS[name](
        setting("sms_gateway_url") or "",
        credentials.get_secret("sms_api_key"),
        to,
        text,
        reference,
    )
