"""The address the payment provider sends the citizen back to.

It names the payment (its dossier and its id) and carries an HMAC of both made
with a key of the site, so nobody can try addresses to learn about other
payments. It holds no secret of the citizen: the provider keeps this address.
"""

from collective.digitalebalie import credentials
from plone import api
from urllib.parse import urlencode
import hashlib
import hmac


PURPOSE = "payment-return"
CHECK_LENGTH = 32  # hex characters: 128 bits


def check(dossier_id, payment_id):
    """The HMAC of a payment's address ("" while the site has no key)."""
    key = credentials.derived_key(PURPOSE)
    if not key:
        return ""
    message = f"{dossier_id}\n{payment_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:CHECK_LENGTH]


def url(dossier_id, payment_id):
    """The return page of this payment."""
    query = urlencode(
        {
            "dossier": dossier_id,
            "payment": payment_id,
            "check": check(dossier_id, payment_id),
        }
    )
    return f"{api.portal.get().absolute_url()}/@@payment-return?{query}"


def verified(dossier_id, payment_id, given):
    """Whether ``given`` is the HMAC of this dossier and payment id."""
    if not all(isinstance(v, str) and v for v in (dossier_id, payment_id, given)):
        return False
    expected = check(dossier_id, payment_id)
    # As bytes: compare_digest refuses a str with other than ASCII characters.
    return bool(expected) and hmac.compare_digest(
        expected.encode(), given.encode("utf-8", "replace")
    )
