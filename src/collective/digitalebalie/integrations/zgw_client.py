"""The HTTP side of the ZGW APIs: a JWT per call (as the ZGW standards' client
credentials ask), JSON in and out, and errors sorted into those a retry can
help (unreachable, 5xx, 408, 429) and those it cannot."""

from collective.digitalebalie import credentials
from collective.digitalebalie.integrations.addresses import encrypted_or_local
from collective.digitalebalie.settings import setting
import json
import jwt
import time
import urllib.error
import urllib.parse
import urllib.request


TIMEOUT = 30
CRS = {"Accept-Crs": "EPSG:4326", "Content-Crs": "EPSG:4326"}


class ZgwError(Exception):
    def __init__(self, message, retry):
        super().__init__(message)
        self.retry = retry


class Client:
    def __init__(self, user_id, user_name):
        self.zaken = (setting("zaken_api_url") or "").rstrip("/")
        self.documenten = (setting("documenten_api_url") or "").rstrip("/")
        self.client_id = setting("zgw_client_id") or ""
        self.secret = credentials.get_secret("zgw_secret")
        self.rsin = setting("rsin") or ""
        self.user_id = user_id
        self.user_name = user_name
        missing = [
            name
            for name, value in (
                ("Zaken API", self.zaken),
                ("Documenten API", self.documenten),
                ("client id", self.client_id),
                ("secret", self.secret),
                ("RSIN", self.rsin),
            )
            if not value
        ]
        if missing:
            raise ZgwError(f"not configured: {', '.join(missing)}", retry=False)

    def _token(self):
        now = int(time.time())
        claims = {
            "iss": self.client_id,
            "iat": now,
            "client_id": self.client_id,
            "user_id": self.user_id,
            "user_representation": self.user_name,
        }
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def call(self, method, url, body=None, crs=False):
        if not encrypted_or_local(url):
            # Documents and the JWT travel with every call: only encrypted.
            raise ZgwError(f"the address must start with https://: {url}", retry=False)
        headers = {
            "Authorization": f"Bearer {self._token()}",
            "Accept": "application/json",
        }
        if crs:
            headers.update(CRS)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - http(s) checked
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            detail = error.read()[:300].decode("utf-8", "replace")
            retry = error.code >= 500 or error.code in (408, 429)
            raise ZgwError(
                f"{method} {url}: HTTP {error.code} {detail}", retry
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise ZgwError(f"{method} {url}: {error}", retry=True) from None

    @staticmethod
    def _results(answer):
        if isinstance(answer, dict):
            return answer.get("results") or []
        return answer or []

    def find(self, url, crs=False, **params):
        query = urllib.parse.urlencode(params)
        results = self._results(self.call("GET", f"{url}?{query}", crs=crs))
        return results[0]["url"] if results else None
