"""Absolute links, for e-mails, JSON-LD and Open Graph tags."""
from flask import current_app, request, url_for


def site_url() -> str:
    """The site's address: ATS_PUBLIC_URL, or else the one the request came in on."""
    return current_app.config["ATS_PUBLIC_URL"].rstrip("/") or request.host_url.rstrip("/")


def absolute_url(endpoint: str, **values) -> str:
    return site_url() + url_for(endpoint, **values)
