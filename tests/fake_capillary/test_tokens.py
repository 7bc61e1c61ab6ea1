"""tokens.py: OAuth tokens, JWT-shaped, valid until they expire on the fake's clock."""

import base64
import json

from memberconsole.fake_capillary import create_app

CLIENT = {"key": "fake-oauth-key", "secret": "fake-oauth-secret", "ttl_seconds": 300}


def payload(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_token_carries_client_org_and_lifetime(app):
    token, ttl = app.tokens.issue(CLIENT)
    claims = payload(token)
    assert ttl == 300
    assert claims["exp"] - claims["iat"] == 300
    assert (claims["client_key"], claims["org_id"], claims["default_till"]) == ("fake-oauth-key", 100737, 75155282)


def test_token_expires_on_the_fakes_clock(app):
    token, _ = app.tokens.issue(CLIENT)
    app.store.set_clock_offset(290)
    assert app.tokens.valid(token)
    app.store.set_clock_offset(310)
    assert not app.tokens.valid(token)


def test_ttl_comes_from_the_client(app):
    token, ttl = app.tokens.issue(CLIENT | {"ttl_seconds": 60})
    assert ttl == 60
    app.store.set_clock_offset(61)
    assert not app.tokens.valid(token)


def test_unknown_and_reset_tokens_are_invalid(app):
    token, _ = app.tokens.issue(CLIENT)
    assert not app.tokens.valid(token + "x")
    app.store.reset()
    assert not app.tokens.valid(token)


def test_another_process_on_the_same_file_accepts_the_token(app, tmp_path):
    token, _ = app.tokens.issue(CLIENT)
    other = create_app(db_path=tmp_path / "fake.sqlite3")
    try:
        assert other.tokens.valid(token)
    finally:
        other.store.close()
