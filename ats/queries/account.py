"""What a staff member's own page shows: their account and its two-step sign-in."""
from dataclasses import dataclass
from datetime import datetime

from ..extensions import db
from ..models import StaffUser
from ..models.two_step import RecoveryCode


@dataclass(frozen=True)
class AccountPage:
    name: str
    email: str
    access_label: str
    two_step_on: bool
    two_step_since: datetime | None
    recovery_codes_left: int


def account_page(user_id: int) -> AccountPage:
    user = db.session.get(StaffUser, user_id)
    left = db.session.scalar(
        db.select(db.func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == user_id)
    )
    return AccountPage(
        name=user.name,
        email=user.email,
        access_label=user.access.label,
        two_step_on=user.two_step_on,
        two_step_since=user.totp_enrolled_at,
        recovery_codes_left=left,
    )


def enrolment_secret(user_id: int) -> str | None:
    """The TOTP secret enrolment started with, while it waits for its first
    code; None once it is confirmed (it is never shown again) or when
    enrolment has not started."""
    user = db.session.get(StaffUser, user_id)
    if user is None or user.two_step_on:
        return None
    return user.totp_secret
