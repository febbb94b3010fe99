"""Staff sign-in, sign-out and access control."""
from ..extensions import db, login_manager
from ..models import StaffUser


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """The session's user, if the account is still active and its sessions
    have not been ended since (by deactivation or a new password)."""
    id_part, _, version_part = user_id.partition(":")
    if not (id_part.isdigit() and version_part.isdigit()):
        return None
    user = db.session.get(StaffUser, int(id_part))
    if user is None or not user.active or user.session_version != int(version_part):
        return None
    return user
