"""What the sitemap lists: the open role pages and when each last changed."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import Role, RoleStatus


@dataclass(frozen=True)
class RolePage:
    slug: str
    updated_on: date  # the role's ``updated_at``, as a UTC date


def open_role_pages() -> list[RolePage]:
    """The open roles (closed and draft ones are left out), by slug."""
    rows = db.session.execute(
        select(Role.slug, Role.updated_at).where(Role.status == RoleStatus.OPEN).order_by(Role.slug)
    )
    return [RolePage(slug, updated_at.date()) for slug, updated_at in rows]
