"""The keys to private pages: a candidate's status page, an interview offer,
a staff member's calendar feed, a staff member's one-time link to set
their password, an interviewer's scorecard. Whoever holds one opens the page.

A key is never stored. Its row keeps a random salt and the SHA-256 of the key
(looked up by, unique); the key itself is an HMAC-SHA256 of the salt under
the site's secret (``ATS_LINK_KEY``, by default ``SECRET_KEY``). So the
service can put the same link in every mail it sends, and a copy of the
database alone opens nothing. Changing that secret changes every key: the
old links stop working and the next mail carries the new one.
"""
import base64
import hashlib
import hmac
import secrets

from flask import current_app

STATUS, OFFER, CALENDAR, PASSWORD, SCORECARD = "status", "offer", "calendar", "password", "scorecard"


def new_salt() -> str:
    return secrets.token_hex(16)


def key_for(purpose: str, salt: str) -> str:
    """The key for ``salt``: 256 bits, URL-safe, 43 characters."""
    config = current_app.config
    secret = (config.get("ATS_LINK_KEY") or config["SECRET_KEY"]).encode()
    mac = hmac.new(secret, f"{purpose}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def digest(key: str) -> str:
    """What the database keeps of ``key``, and finds its row by."""
    return hashlib.sha256(key.encode()).hexdigest()


def digest_default(purpose: str, salt_column: str):
    """A column default: the digest of the key of the row's own salt."""

    def default(context) -> str:
        return digest(key_for(purpose, context.get_current_parameters()[salt_column]))

    return default
