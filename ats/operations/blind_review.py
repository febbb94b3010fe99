"""An admin turns a role's blind review on or off (``/admin/roles/<slug>/blind-review``).

What blind review hides, and from whom, is ``ats.queries.identity``'s. The
switch is a column of ``roles``: changing it raises the catalog's version
(migration 0019's triggers), so the public role page is built again once;
it shows nothing of the switch, and a switch is rare.
"""
from sqlalchemy import select

from ..extensions import db
from ..models import Role
from ..models.audit import record
from . import write_transaction


def set_blind_review(role_slug: str, enabled: bool, actor_id: int) -> Role | None:
    """Turn the role's blind review on or off, recorded as ``role.blind_review``
    (before and after). None when there is no such role. Setting it as it is
    changes and records nothing. One transaction."""
    write_transaction()
    role = db.session.scalars(select(Role).where(Role.slug == role_slug).with_for_update()).one_or_none()
    if role is None or role.blind_review == enabled:
        db.session.rollback()
        return role
    record("role.blind_review", actor_id, None, role=role.slug, before=role.blind_review, after=enabled)
    role.blind_review = enabled
    db.session.commit()
    return role
