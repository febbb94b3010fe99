"""The signing key, security headers on every response, no caching of staff
pages, and the Host check."""
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, abort, request
from flask_login import current_user

from config import MIN_SECRET_KEY

from .access import takes_session

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


def check_secret_key(app: Flask) -> None:
    """Refuse to start without a SECRET_KEY of at least MIN_SECRET_KEY characters.

    Development, chosen explicitly, may go without: it then uses a random key
    of this machine's own, made once in ``ATS_SECRET_KEY_FILE``. No key is ever
    written in the code, so no one can sign a cookie for someone else's server.
    """
    if not app.config.get("SECRET_KEY") and app.config.get("ATS_SECRET_KEY_FILE"):
        app.config["SECRET_KEY"] = machine_key(Path(app.config["ATS_SECRET_KEY_FILE"]))
    if len(app.config.get("SECRET_KEY") or "") < MIN_SECRET_KEY:
        raise RuntimeError(
            f"SECRET_KEY must be set, at least {MIN_SECRET_KEY} characters long: it signs sessions. "
            "Make one with: python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )


def machine_key(path: Path) -> str:
    """The key in ``path``, made there first if there is none (readable by its owner only)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists():
        return path.read_text().strip()
    # Written whole under another name, then linked into place: of two
    # processes starting at once, one key wins and neither reads half a file.
    draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_hex(32) + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()


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
        if request.endpoint != "static" and takes_session() and current_user.is_authenticated:
            # Staff pages carry candidates' personal data: no copy in any cache.
            if "no-store" not in response.headers.get("Cache-Control", ""):
                response.headers["Cache-Control"] = "no-store"
        if secure:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
