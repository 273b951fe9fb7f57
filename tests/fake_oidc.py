"""A relay in front of a real OIDC provider (oidc-provider-mock) that can misbehave.

It passes every request on to the provider, which then names the relay as
issuer (it builds its addresses from the Host header). On the way back it can
play a man in the middle (spoil the ID token's signature, strip it to
``alg: none``, sign it with HS256 and a shared secret), a provider that
rotates its keys (re-sign every ID token with ``signing_key``, without a
``kid``, and publish only that key), or a provider whose metadata names other
addresses.

``eherkenning_claims`` makes the claims an eHerkenning broker puts in an ID
token (Afsprakenstelsel eToegang attribute names), for oidc-provider-mock's
users: the company (KVK number or RSIN) in the object form ``{"value",
"namequalifier"}`` or as a plain string with a ``namequalifier`` claim next to
it, the acting person's pseudonym, the branch when the authorization is
limited to one, and the level of assurance in ``acr``.
"""

from collections import Counter
from fake_http import LocalServer
from http.server import BaseHTTPRequestHandler
import base64
import hashlib
import http.client
import json
import jwt


ETOEGANG = "urn:etoegang:1.9:EntityConcernedID:"
LEVEL = "urn:etoegang:core:assurance-class:"


def eherkenning_claims(
    number,
    *,
    kind="KvKnr",
    branch=None,
    loa="loa3",
    form="object",
    name="Bakkerij De Korenbloem B.V.",
):
    """The claims of an eHerkenning login; ``kind`` is the NameQualifier's last part."""
    claims = {
        "urn:etoegang:core:ActingSubjectID": (
            "4B75A0EA107B3D36C82FD675B5B78CC2F181B22E33D85F2D4A5DA6345E8A0E2B"
            "@2D8FF1EF10279BC2643F376D89835151"
        ),
        "urn:etoegang:1.11:attribute-represented:CompanyName": name,
        "acr": LEVEL + loa,
    }
    if form == "object":
        claims["urn:etoegang:core:LegalSubjectID"] = {
            "value": number,
            "namequalifier": ETOEGANG + kind,
        }
    else:
        claims["urn:etoegang:core:LegalSubjectID"] = number
        if kind:
            claims["namequalifier"] = ETOEGANG + kind
    if branch is not None:
        claims["urn:etoegang:1.9:ServiceRestriction:Vestigingsnr"] = branch
    return claims


def b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def public_jwks(private_key):
    """The published key, with an id (the tokens signed with it name none)."""
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    public["kid"] = hashlib.sha256(public["n"].encode()).hexdigest()[:16]
    public["use"] = "sig"
    return {"keys": [public]}


class Relay(LocalServer):
    def __init__(self, provider_port):
        # None, "signature", "none" or ("HS256", secret)
        self.spoil = None
        self.signing_key = None  # an RSA private key: rotate to it
        self.published_key = None  # the key /jwks shows; None: signing_key's
        self.metadata = {}  # merged into the provider's metadata
        self.claims = {}  # merged into every ID token (needs signing_key)
        self.requests = Counter()  # path -> how often it was asked
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, headers, data):
                self.send_response(status)
                for key, value in headers:
                    if key.lower() not in (
                        "content-length",
                        "connection",
                        "server",
                        "date",
                    ):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _pass_on(self):
                path = self.path.split("?", 1)[0]
                relay.requests[path] += 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                published = relay.published_key or relay.signing_key
                if path == "/jwks" and published is not None:
                    data = json.dumps(public_jwks(published)).encode()
                    self._send(200, [("Content-Type", "application/json")], data)
                    return
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("content-length", "connection")
                }
                connection = http.client.HTTPConnection(
                    "127.0.0.1", provider_port, timeout=30
                )
                connection.request(self.command, self.path, body or None, headers)
                answer = connection.getresponse()
                data = answer.read()
                connection.close()
                if path == "/.well-known/openid-configuration" and relay.metadata:
                    data = json.dumps({**json.loads(data), **relay.metadata}).encode()
                if path == "/oauth2/token" and answer.status == 200:
                    token = json.loads(data)
                    token["id_token"] = relay.change(token["id_token"])
                    data = json.dumps(token).encode()
                self._send(answer.status, answer.getheaders(), data)

            do_GET = _pass_on
            do_POST = _pass_on

        self.serve(Handler)

    def change(self, id_token):
        claims = jwt.decode(id_token, options={"verify_signature": False})
        claims.update(self.claims)
        if self.signing_key is not None:
            # A new key, and a token that does not say which key signed it.
            id_token = jwt.encode(claims, self.signing_key, algorithm="RS256")
        if self.spoil == "signature":
            head, payload, signature = id_token.split(".")
            flipped = "A" if signature[5] != "A" else "B"
            return ".".join((head, payload, signature[:5] + flipped + signature[6:]))
        if self.spoil == "none":
            head, payload, _signature = id_token.split(".")
            return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."
        if isinstance(self.spoil, tuple):
            alg, secret = self.spoil
            return jwt.encode(claims, secret, algorithm=alg)
        return id_token
