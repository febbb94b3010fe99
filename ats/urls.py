"""Absolute links, for mail, calendar feeds, JSON-LD and Open Graph tags.

They are built from ``ATS_PUBLIC_URL`` alone, never from the request: a
forged ``Host`` header must not put another site's address into a link, least
of all into a mail that carries a candidate's private status link. Building
them needs no request either, so a background job can do it.
"""
from urllib.parse import urlsplit

from flask import Flask, current_app


def check_public_url(app: Flask) -> None:
    """Refuse to start with an ``ATS_PUBLIC_URL`` links cannot be built from."""
    url = app.config["ATS_PUBLIC_URL"]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise RuntimeError(
            f"ATS_PUBLIC_URL={url!r} is not the site's address: give it as http(s)://host[:port][/path], "
            "for example https://careers.example.org"
        )


def site_url() -> str:
    """The site's address, without a trailing slash."""
    return current_app.config["ATS_PUBLIC_URL"].rstrip("/")


def absolute_url(endpoint: str, **values) -> str:
    parts = urlsplit(site_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def public_host() -> str:
    """The site's host name (for Message-IDs and calendar UIDs)."""
    return urlsplit(site_url()).hostname
