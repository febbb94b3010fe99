"""Hiring companies, created and edited in the admin pages. A company's slug
is fixed once it is created: interviews are scheduled with it by slug (the
contract's ``company`` field) and calendar feeds filter by it. Which role
pages list it, and what they say of it, is edited on the role's page
(``ats.operations.catalog``)."""
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select

from ..extensions import db
from ..models import Company
from ..models.audit import record
from . import write_transaction
from .catalog import SLUG, CatalogRuleError

MAX_NAME = 200
MAX_WEBSITE = 300
MAX_DESCRIPTION = 5_000


@dataclass(frozen=True)
class CompanyInput:
    name: str
    website: str = ""
    description: str = ""


def check_website(address: str) -> str:
    """``address`` if it is an http(s) address with a host (or empty)."""
    address = address.strip()
    if not address:
        return ""
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in address):
        raise CatalogRuleError("Give the full address, starting with https:// (or http://).", "website")
    if len(address) > MAX_WEBSITE:
        raise CatalogRuleError(f"At most {MAX_WEBSITE} characters.", "website")
    return address


def _checked(given: CompanyInput) -> dict:
    name = given.name.strip()
    if not name:
        raise CatalogRuleError("A name is required.", "name")
    if len(name) > MAX_NAME:
        raise CatalogRuleError(f"At most {MAX_NAME} characters.", "name")
    description = given.description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise CatalogRuleError(f"At most {MAX_DESCRIPTION} characters.", "description")
    return {"name": name, "website": check_website(given.website), "description": description}


def create_company(slug: str, given: CompanyInput, actor_id: int) -> Company:
    """A new company, audited as ``company.create``. One transaction.
    Raises CatalogRuleError (nothing written)."""
    values = _checked(given)
    if not SLUG.match(slug) or len(slug) > 80:
        raise CatalogRuleError("Use lower-case letters, digits and single hyphens (like acme-health), "
                               "at most 80 characters.", "slug")
    write_transaction()
    try:
        if db.session.scalars(select(Company.id).filter_by(slug=slug)).first() is not None:
            raise CatalogRuleError(f"There is a company {slug!r} already.", "slug")
        company = Company(slug=slug, **values)
        db.session.add(company)
        db.session.flush()
        record("company.create", actor_id, None, company=slug)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return company


def update_company(slug: str, given: CompanyInput, actor_id: int) -> list[str]:
    """Change a company's name, website and description (its slug stays),
    audited as ``company.update`` with the names of what changed; the names
    (empty: nothing changed, nothing written). Raises LookupError for an
    unknown slug, CatalogRuleError for bad input."""
    values = _checked(given)
    write_transaction()
    try:
        company = db.session.scalars(select(Company).filter_by(slug=slug)).one_or_none()
        if company is None:
            raise LookupError(slug)
        changed = [name for name, value in values.items() if getattr(company, name) != value]
        for name in changed:
            setattr(company, name, values[name])
        if changed:
            record("company.update", actor_id, None, company=slug, changed=changed)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return changed
