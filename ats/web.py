"""What the blueprints' views and forms share, owned by none of them: the
text filters the forms apply, and where a form may send the browser next."""
import re
from urllib.parse import urlsplit

# Control characters other than tab and line breaks are dropped from text:
# PostgreSQL refuses NUL, and none of them belongs in a name or a profile.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Control characters and whitespace, which browsers strip or reinterpret
# ("/\t/evil.example" is "//evil.example" to them).
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")


def clean_line(value):
    """A one-line form value: control characters dropped, white space runs made one space."""
    if value is None:
        return value
    return " ".join(_CONTROL.sub("", value).split())


def clean_text(value):
    """A multi-line form value: control characters dropped, line ends made ``\\n``, trimmed."""
    if value is None:
        return value
    return _CONTROL.sub("", value).replace("\r\n", "\n").replace("\r", "\n").strip()


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
