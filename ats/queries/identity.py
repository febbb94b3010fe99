"""Who a candidate is, as a staff page may show it: blind review.

While a role's ``blind_review`` is on, a recruiter sees none of a candidate's
name, e-mail, phone, location, LinkedIn address or resume on that role's
applications until the application's skill match has been saved once
(``Application.identity_revealed_at``, set by ``annotate_skills``). They see
a pseudonym, "Candidate #<application id>", which says nothing of the person.

Who is blinded: staff whose access is exactly recruiter. Managers and admins
oversee the process (reports, the CSV, the audit trail, erasure) and see
everything, as the contract's blind-review line keeps their reports and the
CSV unchanged.

Mail: every mail the service sends about an application goes to the
candidate alone (``ats.notifications``), naming them to themselves; no mail
goes to recruiters. Interviewers are mailed their scorecard links
(``ats.notifications.scorecards``), naming the candidate: they are not
recruiters here, for they meet the candidate, and their scorecard page names
them too. A mail to recruiters would have to name the candidate through
``identities``.

Enforced where the data is read, not in the templates: the queries here
return no identity for a hidden application (the database answers NULL in
its place), and pages that load ``Application`` objects for a blinded viewer
load the identity columns deferred with ``raiseload`` (``hidden_columns``),
so a template that reached for one would fail rather than show it.
"""
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, case, literal, select
from sqlalchemy.orm import defer

from ..extensions import db
from ..models import Access, Application, Role
from ..models.types import LARGEST_ID

# What blind review hides: the identity columns and the resume (file and text).
IDENTITY_COLUMNS = (
    Application.full_name, Application.email, Application.phone, Application.location, Application.linkedin_url,
)
RESUME_COLUMNS = (
    Application.resume_storage_name, Application.resume_original_name, Application.resume_content_type,
    Application.resume_size, Application.resume_text,
)
MASK = "[hidden]"


def pseudonym(application_id: int) -> str:
    """The name a hidden application goes by: its number, nothing of the person."""
    return f"Candidate #{application_id}"


def display_name(application_id: int, name: str | None) -> str:
    """The name a page shows: the pseudonym for a hidden application (the
    query read no name: None), "Erased candidate #<id>" for one whose
    candidate was erased (``ats.operations.erasure`` leaves the name empty,
    which no form accepts), else the name."""
    if name is None:
        return pseudonym(application_id)
    return name or f"Erased candidate #{application_id}"


def is_blinded(access: Access | None) -> bool:
    """Whether blind review applies to a viewer with ``access`` (module docstring)."""
    return access is Access.RECRUITER


def hidden_condition():
    """SQL: the application (joined with its role) is under blind review and not yet revealed."""
    return and_(Role.blind_review.is_(True), Application.identity_revealed_at.is_(None))


def shown(column, hidden):
    """``column``, or NULL where ``hidden`` holds: the database never sends the value."""
    return case((hidden, literal(None)), else_=column)


def hidden_columns(path=None) -> list:
    """Loader options deferring the identity and resume columns with
    ``raiseload``, on ``Application`` or on the relationship ``path`` to it."""
    options = [defer(column, raiseload=True) for column in (*IDENTITY_COLUMNS, *RESUME_COLUMNS)]
    return [path.options(*options)] if path is not None else options


@dataclass(frozen=True)
class Identity:
    """What a page may show of who applied. Hidden: the pseudonym and nothing else."""

    application_id: int
    hidden: bool
    name: str
    email: str = ""
    phone: str = ""
    location: str = ""
    linkedin_url: str = ""
    has_resume: bool = False


def identities(application_ids: Iterable[int], blinded: bool) -> dict[int, Identity]:
    """The identity each application may show a viewer (``blinded``: a
    recruiter), in one query whatever their number."""
    # An id no row can have (a bulk form may name any number) is no application.
    ids = sorted({number for number in application_ids if 0 < number <= LARGEST_ID})
    if not ids:
        return {}
    hidden = hidden_condition() if blinded else literal(False)
    rows = db.session.execute(
        select(
            Application.id,
            hidden,
            *(shown(column, hidden) for column in IDENTITY_COLUMNS),
            shown(Application.resume_storage_name, hidden),
        )
        .join(Role, Application.role_id == Role.id)
        .where(Application.id.in_(ids))
    )
    return {row[0]: _identity(*row) for row in rows}


def identity(application_id: int, blinded: bool) -> Identity | None:
    """One application's identity for the viewer; None when there is no such application."""
    return identities([application_id], blinded).get(application_id)


def _identity(application_id, hidden, name, email, phone, location, linkedin_url, resume) -> Identity:
    if hidden:
        return Identity(application_id, True, pseudonym(application_id))
    return Identity(application_id, False, display_name(application_id, name), email, phone or "", location or "",
                    linkedin_url or "", bool(resume))


def masked_profile(application_id: int, profile: str) -> str:
    """``profile`` with the candidate's own name, e-mail and phone (as given
    in this application) replaced by ``[hidden]``, without case: a profile is
    the evidence blind review keeps, but it may sign itself. A plain
    replacement of those exact strings (and of each word of the name of three
    letters or more, as whole words); other ways of writing them are not caught."""
    name, email, phone = db.session.execute(
        select(Application.full_name, Application.email, Application.phone).where(Application.id == application_id)
    ).one()
    terms = [term for term in (name, email, phone, *name.split()) if term and len(term.strip()) >= 3]
    if not terms:
        return profile
    alternatives = "|".join(re.escape(term.strip()) for term in sorted(terms, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    return pattern.sub(MASK, profile)
