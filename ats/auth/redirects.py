"""Where a sign-in may send the browser next: only a path on this site."""
import re
from urllib.parse import urlsplit

# Control characters and whitespace, which browsers strip or reinterpret
# ("/\t/evil.example" is "//evil.example" to them).
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")


def safe_next_path(value: str | None) -> str | None:
    """``value`` when it is a same-site path such as ``/pipeline/?q=x``, else None.

    Refused: absolute URLs, scheme-relative ``//host``, backslashes (which
    browsers read as slashes), anything not starting with a single ``/``.
    """
    if not value or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or _UNSAFE.search(value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value
