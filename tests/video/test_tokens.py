"""Room tokens and TURN credentials."""

from collective.digitalebalie.video import tokens
import base64
import hashlib
import hmac
import pytest


SECRET = "s" * 43


def test_round_trip():
    token = tokens.mint(
        SECRET, room="abc", participant="p1", role="citizen", name="Fatima", now=1000
    )
    claims = tokens.verify(SECRET, token, room="abc", now=1500)
    assert claims == {
        "room": "abc",
        "sub": "p1",
        "role": "citizen",
        "name": "Fatima",
        "iat": 1000,
        "exp": 4600,
    }


@pytest.mark.parametrize(
    "mutate,code",
    [
        (lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), "bad_signature"),
        (lambda t: "x" + t, "bad_signature"),
        (lambda t: "no-dot", "bad_token"),
        (lambda t: None, "bad_token"),
    ],
)
def test_tampered(mutate, code):
    token = tokens.mint(SECRET, room="abc", participant="p1", role="citizen", now=1000)
    with pytest.raises(tokens.TokenError) as info:
        tokens.verify(SECRET, mutate(token), room="abc", now=1000)
    assert info.value.code == code


def test_other_secret_expired_other_room():
    token = tokens.mint(
        SECRET, room="abc", participant="p1", role="guest", ttl=60, now=1000
    )
    with pytest.raises(tokens.TokenError, match="not valid"):
        tokens.verify("t" * 43, token, now=1000)
    with pytest.raises(tokens.TokenError) as info:
        tokens.verify(SECRET, token, now=1061)
    assert info.value.code == "expired"
    with pytest.raises(tokens.TokenError) as info:
        tokens.verify(SECRET, token, room="xyz", now=1000)
    assert info.value.code == "wrong_room"


def test_unknown_role_is_not_minted():
    with pytest.raises(ValueError):
        tokens.mint(SECRET, room="abc", participant="p1", role="admin")


def test_turn_credentials_follow_the_turn_rest_api():
    username, password = tokens.turn_credentials(
        "coturn-secret", "p1", ttl=600, now=1000
    )
    assert username == "1600:p1"
    expected = hmac.new(b"coturn-secret", b"1600:p1", hashlib.sha1).digest()
    assert base64.b64decode(password) == expected
