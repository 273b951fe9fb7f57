"""A local SMS gateway speaking CM.com's documented JSON API, and a generic one.

CM.com: POST /v1.0/message with {"messages": {"authentication": {"producttoken"},
"msg": [{"from", "to": [{"number": "00..."}], "body": {"content", "type"},
"reference"}]}}. Answers 200 with errorCode 0 and a status per message, or an
error code (101 authentication, 202 malformed, 301 sender, 303 number).
Generic: POST /generic with {"to", "from", "text", "reference"} and a Bearer token.
"""

from fake_http import JsonHandler
from fake_http import LocalServer
import json
import re
import threading


class FakeGateway(LocalServer):
    def __init__(self, token):
        self.token = token
        self.messages = []  # (number, sender, text, reference)
        self.requests = 0
        self.fail_next = 0  # answer 500 to this many requests
        self.lock = threading.Lock()
        gateway = self

        class Handler(JsonHandler):
            def do_POST(self):
                with gateway.lock:
                    gateway.requests += 1
                    failing = gateway.fail_next > 0
                    gateway.fail_next -= failing
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if failing:
                    return self.answer(
                        500, {"details": "Internal error", "errorCode": 500}
                    )
                if not self.headers.get("Content-Type", "").startswith(
                    "application/json"
                ):
                    return self.answer(400, {"details": "Use JSON", "errorCode": 202})
                try:
                    body = json.loads(raw)
                except ValueError:
                    return self.answer(400, {"details": "Malformed", "errorCode": 202})
                if self.path == "/v1.0/message":
                    return self.cm(body)
                if self.path == "/generic":
                    return self.generic(body)
                return self.answer(404, {"details": "Not found"})

            def cm(self, body):
                try:
                    auth = body["messages"]["authentication"]["producttoken"]
                    messages = body["messages"]["msg"]
                    assert isinstance(messages, list) and messages
                except (KeyError, TypeError, AssertionError):
                    return self.answer(
                        400,
                        {
                            "details": "Request malformed",
                            "errorCode": 202,
                            "messages": [],
                        },
                    )
                if auth != gateway.token:
                    return self.answer(
                        400,
                        {
                            "details": "No account found for the given authentication",
                            "errorCode": 101,
                            "messages": [],
                        },
                    )
                results, accepted = [], []
                for msg in messages:
                    sender = msg.get("from", "")
                    content = (msg.get("body") or {}).get("content", "")
                    for to in msg.get("to") or []:
                        number = to.get("number", "")
                        code = 0
                        if not re.fullmatch(r"[A-Za-z0-9]{1,11}|[0-9]{1,16}", sender):
                            code = 301
                        elif (
                            not re.fullmatch(r"00[1-9][0-9]{7,14}", number)
                            or number.startswith("00999")
                            # A Dutch landline: a valid number, but no text
                            # message reaches it (mobiles are 06 and 097).
                            or (
                                number.startswith("0031")
                                and not number.startswith(("00316", "003197"))
                            )
                        ):
                            code = 303
                        elif not content:
                            code = 304
                        results.append(
                            {
                                "to": number,
                                "status": "Accepted" if not code else "Rejected",
                                "reference": msg.get("reference"),
                                "parts": 1,
                                "messageDetails": None if not code else "Rejected",
                                "messageErrorCode": code,
                            }
                        )
                        if not code:
                            accepted.append(
                                (number, sender, content, msg.get("reference"))
                            )
                if len(accepted) != len(results):
                    return self.answer(
                        400,
                        {
                            "details": "Not all messages were sent",
                            "errorCode": 201,
                            "messages": results,
                        },
                    )
                with gateway.lock:
                    gateway.messages.extend(accepted)
                return self.answer(
                    200,
                    {
                        "details": f"Created {len(results)} message(s)",
                        "errorCode": 0,
                        "messages": results,
                    },
                )

            def generic(self, body):
                if self.headers.get("Authorization") != f"Bearer {gateway.token}":
                    return self.answer(401, {"error": "unauthorized"})
                if not all(
                    isinstance(body.get(k), str) and body[k]
                    for k in ("to", "from", "text")
                ):
                    return self.answer(422, {"error": "to, from and text are required"})
                with gateway.lock:
                    gateway.messages.append(
                        (body["to"], body["from"], body["text"], body.get("reference"))
                    )
                return self.answer(202, {"id": body.get("reference")})

        self.serve(Handler)
