"""What the add-on itself checks of an OpenID provider (DigiD broker, employee SSO).

Whatever the OIDC library lets through: the provider's addresses are https
(http only on this machine), an ID token is signed with an algorithm the
provider's metadata names (never ``none``; never HS* when the provider
publishes public keys, the key-confusion attack), and a token that names no
key after a key rotation makes us fetch the provider's keys (JWKS) once more.
"""

import ipaddress
import jwt
import threading
import time
import urllib.parse


# Addresses that the browser or the add-on uses for a provider.
ADDRESSES = (
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "userinfo_endpoint",
)
# Signatures with a public key; DigiD brokers sign with one of these.
PUBLIC_KEY_ALGORITHMS = frozenset(
    {
        "RS256",
        "RS384",
        "RS512",
        "PS256",
        "PS384",
        "PS512",
        "ES256",
        "ES384",
        "ES512",
        "EdDSA",
    }
)
_KEY_TYPES = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}
JWKS_TTL = 300  # seconds; a key the cache does not have fetches the set anew


def address_ok(url):
    """https://, or http:// to this machine (localhost, 127.0.0.0/8, ::1)."""
    if not isinstance(url, str):
        return False
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return False
    if not host:
        return False
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bad_address(metadata, names=ADDRESSES):
    """The name of the first address in the metadata that is not https (or local); else None."""
    for name in names:
        value = metadata.get(name)
        if value is not None and not address_ok(value):
            return name
    return None


def signing_algorithms(metadata):
    """The algorithms an ID token of this provider may be signed with."""
    # OpenID Connect Discovery: REQUIRED, and RS256 MUST be among them.
    advertised = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    if not isinstance(advertised, list | tuple):
        advertised = ["RS256"]
    allowed = {a for a in advertised if isinstance(a, str) and a.lower() != "none"}
    if metadata.get("jwks_uri"):
        # A provider with public keys signs with them: an HMAC "signature"
        # would be made with a key an attacker may know (the public key).
        allowed = {a for a in allowed if not a.upper().startswith("HS")}
    return allowed


def check_algorithm(token, metadata):
    """Raise jwt.InvalidAlgorithmError unless the token's alg is one of the provider's."""
    header = jwt.get_unverified_header(token)  # DecodeError when not a JWS
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in signing_algorithms(metadata):
        raise jwt.InvalidAlgorithmError(f"ID token signed with {alg!r}")
    return alg


# --- the provider's keys ------------------------------------------------------------

_lock = threading.Lock()
_key_sets = {}  # jwks_uri -> (fetched at, [PyJWK])


def _keys(jwks_uri, fetch, refresh=False):
    with _lock:
        cached = _key_sets.get(jwks_uri)
    if cached and not refresh and time.monotonic() - cached[0] < JWKS_TTL:
        return cached[1]
    try:
        keys = [
            key
            for key in jwt.PyJWKSet.from_dict(fetch(jwks_uri)).keys
            if key.public_key_use in (None, "sig")
        ]
    except (jwt.PyJWKSetError, TypeError, AttributeError) as error:
        raise jwt.InvalidKeyError(
            f"the provider's keys are not usable: {error}"
        ) from None
    with _lock:
        _key_sets[jwks_uri] = (time.monotonic(), keys)
    return keys


def forget_keys():
    with _lock:
        _key_sets.clear()


def decode(token, metadata, fetch, algorithms=PUBLIC_KEY_ALGORITHMS, **kwargs):
    """The verified claims of an ID token, checked with the provider's published keys.

    ``fetch(url)`` returns the JSON at url. A token whose key the cached set
    does not have (a new ``kid``, or no ``kid`` after a key rotation) fetches
    the set once more and tries again; never more than once per token.
    """
    alg = check_algorithm(token, metadata)
    if alg not in algorithms:
        raise jwt.InvalidAlgorithmError(f"ID token signed with {alg!r}")
    jwks_uri = metadata.get("jwks_uri")
    if not jwks_uri:
        raise jwt.InvalidKeyError("the provider publishes no keys")
    kid = jwt.get_unverified_header(token).get("kid")
    for refresh in (False, True):
        keys = _keys(jwks_uri, fetch, refresh=refresh)
        candidates = [
            k
            for k in keys
            if k.key_type == _KEY_TYPES.get(alg[:2]) and (not kid or k.key_id == kid)
        ]
        for key in candidates:
            try:
                return jwt.decode(token, key.key, algorithms=[alg], **kwargs)
            except (jwt.InvalidSignatureError, jwt.InvalidKeyError):
                continue  # another key, or after a refresh
    raise jwt.InvalidSignatureError("no key of the provider verifies the ID token")
