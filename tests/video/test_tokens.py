"""Room tokens and TURN credentials."""

from collective.digitalebalie.video import tokens
import base64
import hashlib
import hmac
import json
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


def test_a_watch_token_says_so_and_an_ordinary_one_does_not():
    watch = tokens.mint(
        SECRET, room="abc", participant="p1", role="employee", watch=True, now=1000
    )
    claims = tokens.verify(SECRET, watch, room="abc", now=1000)
    assert claims["watch"] is True and tokens.is_watch(claims)
    ordinary = tokens.mint(SECRET, room="abc", participant="p1", role="employee")
    claims = tokens.verify(SECRET, ordinary, room="abc")
    assert "watch" not in claims and not tokens.is_watch(claims)


def _signed(claims):
    payload = tokens._b64(json.dumps(claims).encode())
    return f"{payload}.{tokens._sign(SECRET, payload)}"


@pytest.mark.parametrize(
    "room,role,watch",
    [("abc", "citizen", "yes"), ("abc", "citizen", 1), ("devicetest-x", "test", True)],
)
def test_odd_watch_claims_are_refused_even_when_signed(room, role, watch):
    claims = {"room": room, "sub": "p1", "role": role, "watch": watch}
    claims.update(iat=1000, exp=2000)
    with pytest.raises(tokens.TokenError) as info:
        tokens.verify(SECRET, _signed(claims), room=room, now=1000)
    assert info.value.code == "bad_token"
