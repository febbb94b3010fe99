"""Two-step sign-in: enrolling an authenticator app, turning it off, new
recovery codes, and the code that finishes a sign-in. One transaction each.

Each locks the user's row first (``FOR UPDATE`` on PostgreSQL; on SQLite the
write transaction already has the database to itself), so of two requests
with the same code only one is accepted, and a recovery code works once.

What a caller learns of a refused code is only that it was refused: a wrong
code, a used one and one from too long ago read the same.
"""
from dataclasses import dataclass
from datetime import timedelta

from ..extensions import db
from ..models import StaffUser, utcnow
from ..models.audit import record
from ..models.staff import password_check_slot, verify_password
from ..models.two_step import (
    RecoveryCode,
    is_totp_code,
    matching_step,
    new_recovery_codes,
    new_totp_secret,
    recovery_code_hash,
)
from . import write_transaction
from .sessions import open_session, revoke_all_sessions
from .staff import SignedIn


class TwoStepError(ValueError):
    """The change does not fit the account as it is now (already on, already off)."""


@dataclass(frozen=True)
class CodeSignIn:
    signed_in: SignedIn
    # Recovery codes left when one was used to sign in; None for an app's code.
    recovery_codes_left: int | None


def start_enrolment(user_id: int) -> None:
    """Give the user a new TOTP secret to put in their app; nothing is asked
    at sign-in until :func:`confirm_enrolment` has seen its first code."""
    write_transaction()
    user = _locked(user_id)
    if user.two_step_on:
        db.session.rollback()
        raise TwoStepError("Two-step sign-in is already on.")
    user.totp_secret = new_totp_secret()
    user.totp_last_step = None
    record("two_step.enrolment_start", user.id)
    db.session.commit()


def confirm_enrolment(user_id: int, code: str, keep_session: str | None) -> list[str] | None:
    """Turn two-step sign-in on if ``code`` is the app's current code for the
    secret enrolment gave; return the new recovery codes (shown once, kept
    hashed), or None for a wrong code. The user's other sessions end, all but
    the one ``keep_session`` opens: whoever else held one had only a password."""
    write_transaction()
    user = _locked(user_id)
    if user.two_step_on or not user.totp_secret:
        db.session.rollback()
        raise TwoStepError("There is no enrolment to confirm.")
    step = matching_step(user.totp_secret, code)
    if step is None:
        db.session.rollback()
        return None
    user.totp_enrolled_at = utcnow()
    user.totp_last_step = step
    codes = _replace_recovery_codes(user.id)
    revoke_all_sessions(user.id, keep_token=keep_session)
    record("two_step.on", user.id)
    db.session.commit()
    return codes


def turn_off(user_id: int, proof: str) -> bool:
    """Turn two-step sign-in off, given the app's current code or the
    password (``proof``); False, changing nothing, when it is neither. May
    raise :class:`~ats.models.staff.PasswordChecksBusy`."""
    proven = _proven(user_id, proof, "Two-step sign-in is already off.")
    if proven is None:
        return False
    user, proved = proven
    _clear(user)
    record("two_step.off", user.id, proved_with=proved)
    db.session.commit()
    return True


def turn_off_for_a_locked_out_user(user_id: int) -> bool:
    """An operator turns two-step sign-in off for someone who lost both their
    phone and their recovery codes (``flask ats turn-off-two-step``), after
    checking who they are by other means. Their sessions end; they sign in
    with their password and can turn it on again. False when it was off."""
    write_transaction()
    user = _locked(user_id)
    if user is None or not user.two_step_on:
        db.session.rollback()
        return False
    _clear(user)
    revoke_all_sessions(user.id)
    record("two_step.off", None, proved_with="operator", user_id=user.id)
    db.session.commit()
    return True


def renew_recovery_codes(user_id: int, proof: str) -> list[str] | None:
    """Ten new recovery codes in place of the old ones, given the app's
    current code or the password; None, changing nothing, otherwise."""
    proven = _proven(user_id, proof, "Two-step sign-in is off: there are no recovery codes.")
    if proven is None:
        return None
    user, proved = proven
    codes = _replace_recovery_codes(user.id)
    record("two_step.recovery_codes", user.id, proved_with=proved)
    db.session.commit()
    return codes


def finish_sign_in(user_id: int, code: str, user_agent: str | None, lifetime: timedelta) -> CodeSignIn | None:
    """The second step of signing in: with the app's code for a time-step
    later than the last one used, or an unused recovery code (used up here),
    open the user's session; None for anything else."""
    write_transaction()
    user = _locked(user_id)
    if user is None or not user.active or not user.two_step_on:
        db.session.rollback()
        return None
    left = None
    if is_totp_code(code):
        accepted = _use_app_code(user, code)
    else:
        accepted = _use_recovery_code(user.id, code)
        if accepted:
            left = db.session.scalar(
                db.select(db.func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == user.id)
            )
            record("two_step.recovery_code_used", user.id, left=left)
    if not accepted:
        db.session.rollback()
        return None
    user.last_login_at = utcnow()
    token = open_session(user.id, user_agent, lifetime)
    db.session.commit()
    return CodeSignIn(SignedIn(user, token), left)


# --- Inside the operations -----------------------------------------------------------


def _proven(user_id: int, proof: str, when_off: str) -> tuple[StaffUser, str] | None:
    """The user, their row locked in a write transaction, and what ``proof``
    proved (the app's code or the password); None, with nothing open, when it
    proved neither. Raises TwoStepError(``when_off``) when two-step sign-in is off."""
    password_hash = _checked_password(user_id, proof)
    if password_hash is None and not is_totp_code(proof):
        return None
    write_transaction()
    user = _locked(user_id)
    if not user.two_step_on:
        db.session.rollback()
        raise TwoStepError(when_off)
    proved = _proved(user, proof, password_hash)
    if proved is None:
        db.session.rollback()
        return None
    return user, proved


def _clear(user: StaffUser) -> None:
    """Two-step sign-in off: no secret, no last step, no recovery codes."""
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    _delete_recovery_codes(user.id)


def _locked(user_id: int) -> StaffUser | None:
    """The user, their row locked until the transaction ends (PostgreSQL)."""
    return db.session.get(StaffUser, user_id, with_for_update=True)


def _use_app_code(user: StaffUser, code: str) -> bool:
    """Accept the app's ``code`` if it is for a later step than the last one used."""
    step = matching_step(user.totp_secret, code, after=user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def _use_recovery_code(user_id: int, code: str) -> bool:
    """Use up one of the user's recovery codes: True if ``code`` was one."""
    result = db.session.execute(
        db.delete(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.code_hash == recovery_code_hash(code))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount > 0


def _delete_recovery_codes(user_id: int) -> None:
    db.session.execute(
        db.delete(RecoveryCode).where(RecoveryCode.user_id == user_id).execution_options(synchronize_session=False)
    )


def _replace_recovery_codes(user_id: int) -> list[str]:
    _delete_recovery_codes(user_id)
    codes = new_recovery_codes()
    db.session.add_all(RecoveryCode(user_id=user_id, code_hash=recovery_code_hash(code)) for code in codes)
    return codes


def _checked_password(user_id: int, proof: str) -> str | None:
    """When ``proof`` is not shaped like an app's code: the user's password
    hash if ``proof`` is their password, else None. Checked outside any
    transaction, in one of the process's password-check slots, as signing in
    does (``ats.operations.staff.sign_in``)."""
    if is_totp_code(proof):
        return None
    stored = db.session.scalar(db.select(StaffUser.password_hash).where(StaffUser.id == user_id))
    db.session.rollback()
    with password_check_slot():
        accepted, _ = verify_password(stored, proof)
    return stored if accepted else None


def _proved(user: StaffUser, proof: str, password_hash: str | None) -> str | None:
    """How the user proved it is them, "code" or "password", or None. A
    password counts only if it is still the user's (not changed meanwhile)."""
    if is_totp_code(proof):
        return "code" if _use_app_code(user, proof) else None
    if password_hash is not None and user.password_hash == password_hash:
        return "password"
    return None
