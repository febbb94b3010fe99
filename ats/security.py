"""Security headers on every response, no caching of staff pages, and the Host check."""
from urllib.parse import urlsplit

from flask import Flask, Response, abort, request
from flask_login import current_user

# No inline script anywhere: JSON-LD blocks are data, which CSP does not run.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def init_app(app: Flask) -> None:
    secure = app.config.get("SESSION_COOKIE_SECURE", False)

    @app.before_request
    def check_host():
        """With ATS_PUBLIC_URL given, only its host is served: a request naming
        another is refused before anything reads it (contract: ATS_PUBLIC_URL)."""
        if not app.config["ATS_CHECK_HOST"] or request.path == "/healthz":
            return
        if request.host.lower() != urlsplit(app.config["ATS_PUBLIC_URL"]).netloc.lower():
            abort(400)

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint != "static" and current_user.is_authenticated:
            # Staff pages carry candidates' personal data: no copy in any cache.
            if "no-store" not in response.headers.get("Cache-Control", ""):
                response.headers["Cache-Control"] = "no-store"
        if secure:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
