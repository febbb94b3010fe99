"""What the blueprints' views and forms share, owned by none of them: the
text filters the forms apply, where a form may send the browser next, and
``404`` for what the address names but nothing holds.

A record by its id is ``db.get_or_404(Model, id)`` (Flask-SQLAlchemy); what
a service looks up otherwise (by slug, by token, a whole page) is ``or_404``.
"""
import functools
import re
from typing import TypeVar
from urllib.parse import urlsplit

from flask import abort
from markupsafe import Markup, escape
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter
from wtforms.validators import ValidationError
from wtforms.widgets import html_params

from .models.types import LARGEST_ID
from .timezones import zone_names

# Control characters other than tab and line breaks are dropped from text:
# PostgreSQL refuses NUL, and none of them belongs in a name or a profile.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# What a one-line value may not hold: line breaks and the other control
# characters (a tab is read as a space). Browsers never send them from a
# one-line field, so a request carrying one was made by hand; a line break
# once broke a calendar file after its interview was saved.
_NOT_ON_ONE_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")

# Control characters and whitespace, which browsers strip or reinterpret
# ("/\t/evil.example" is "//evil.example" to them).
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")


T = TypeVar("T")


def or_404(found: T | None) -> T:
    """``found``, or the ``404`` page when there is none."""
    if found is None:
        abort(404)
    return found


def clean_line(value):
    """A one-line form value: trimmed, tabs and runs of spaces made one space.
    Line breaks and other control characters stay, for ``one_line`` to refuse."""
    if value is None:
        return value
    return re.sub(r"[ \t]+", " ", value).strip(" ")


def one_line(form, field) -> None:
    """A WTForms validator: the value holds no line break or control character (422)."""
    if field.data and _NOT_ON_ONE_LINE.search(field.data):
        raise ValidationError(
            f"{field.label.text} must be one line of text, without line breaks or control characters."
        )


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


class DatabaseId(IntegerConverter):
    """``<int:…>`` in every route: an id the database can hold (``LARGEST_ID``). A larger one names nothing: ``404``, instead of overflowing in
    the query (a 500 on SQLite and PostgreSQL alike). Raised, not refused as a
    non-match, so that a route with the same path and another method does not
    turn it into 405."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > LARGEST_ID:
            raise NotFound()
        return number


@functools.cache
def _zone_options(leading: tuple[str, ...]) -> str:
    return "".join(f'<option value="{escape(name)}">{escape(name.replace("_", " "))}</option>'
                   for name in (*leading, *zone_names()))


class ZoneSelect:
    """A select of the IANA zones (``zone_names``, after ``leading``) whose
    few hundred options are written once per process and reused, the
    field's value marked selected: the widget WTForms has builds each option
    anew, about 10 ms a page."""

    def __init__(self, leading: tuple[str, ...] = ()):
        self.leading = tuple(leading)

    def __call__(self, field, **kwargs) -> Markup:
        kwargs.setdefault("id", field.id)
        options = _zone_options(self.leading)
        if field.data:
            option = f'<option value="{escape(field.data)}">'
            options = options.replace(option, option[:-1] + " selected>", 1)
        # The zone names and the value went through escape(); html_params escapes the attributes.
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")  # nosec B704
