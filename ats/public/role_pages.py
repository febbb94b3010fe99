"""Role pages built once per catalog version and kept in the worker's memory.

A role page is the same for every anonymous visitor but for the apply form's
CSRF token and its hidden ``source`` (``?source=``, where the visitor came
from); job boards send their traffic there. So the page is rendered once
for each version of the catalog the database holds (``catalog_version``, read
on every request, raised by triggers on every catalog change), kept with the
token and the source cut out, and served with the visitor's own put back. Every
worker on every machine notices a change at its next request; losing what is
kept (a restart) only costs one rendering.

Only what is the same for everyone is kept: a signed-in member of staff
(whose page shows their own navigation) or a visitor with flashed messages
waiting is served a page rendered for them alone. Anything else that made
the page differ between visitors would have to join the key.
"""
from flask import current_app, session
from flask_login import current_user

# Stands for the visitor's CSRF token in a kept page: a NUL never comes out
# of a template's escaped text.
CSRF_SLOT = "\x00csrf-token\x00"
# Stands for the visitor's source: the form is rendered with it as the value.
SOURCE_SLOT = "\x00source\x00"


class RolePages:
    """{role slug: page} for one catalog version; another version empties it."""

    def __init__(self) -> None:
        self._kept: tuple[int | None, dict[str, str]] = (None, {})

    def get(self, slug: str, version: int | None) -> str | None:
        kept_version, pages = self._kept
        return pages.get(slug) if version is not None and kept_version == version else None

    def keep(self, slug: str, version: int | None, page: str) -> None:
        """Keep ``page`` under ``version``; None (no version row) keeps nothing."""
        kept_version, pages = self._kept
        if version is None:
            self.clear()
        elif kept_version != version:
            # Replaced whole: a thread reading the old dict is not disturbed.
            self._kept = (version, {slug: page})
        else:
            pages[slug] = page

    def clear(self) -> None:
        self._kept = (None, {})


def kept_pages() -> RolePages:
    """This app's kept pages (each app has its own database, so its own)."""
    return current_app.extensions.setdefault("ats.role_pages", RolePages())


def shared_page() -> bool:
    """Whether this request gets the page every anonymous visitor gets."""
    return not current_user.is_authenticated and not session.get("_flashes")


def kept_form(page: str, token: str | None) -> str:
    """``page`` with the visitor's CSRF token cut out, to be kept."""
    return page.replace(token, CSRF_SLOT) if token else page


def served_form(page: str, token_for_visitor, source: str) -> str:
    """A kept page with ``token_for_visitor()``'s token and ``source`` put
    back (a valid source: letters, digits and ``-``, nothing to escape)."""
    if CSRF_SLOT in page:
        page = page.replace(CSRF_SLOT, token_for_visitor())
    return page.replace(SOURCE_SLOT, source)
