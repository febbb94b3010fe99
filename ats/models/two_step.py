"""Two-step sign-in: a time-based code (TOTP, RFC 6238, through pyotp) from
an authenticator app, or one of ten one-time recovery codes.

The TOTP secret lives on the staff user (``StaffUser.totp_secret``): set when
enrolment starts, shown to its owner only until the first code confirms it
(``totp_enrolled_at``), never again. ``totp_last_step`` is the time-step of
the last code accepted: a code is accepted only for a later step, so a code
seen over someone's shoulder cannot be used a second time.

Recovery codes are 50 random bits each, so a plain SHA-256 is enough to keep
them (no salt or slow hash needed: nothing short enough to guess is hashed);
each is a row, deleted when used, so that "once" holds under concurrency.
"""
import hashlib
import hmac
import re
import secrets
import time
from datetime import datetime

import pyotp
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow

DIGITS = 6
STEP_SECONDS = 30
# Codes of the step before and after the current one are accepted too: the
# phone's clock may be a little off, and typing takes time.
STEPS_AROUND = 1
RECOVERY_CODES = 10
# 31 letters and digits, none that reads like another (no 0/o, 1/l/i).
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
RECOVERY_LENGTH = 10

_SPACES = re.compile(r"[\s-]+")

# Seconds since the epoch; tests replace it to fix the time.
clock = time.time


def new_totp_secret() -> str:
    """A new TOTP secret: 160 random bits, base32 (what authenticator apps take)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://`` address the QR code carries."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer
    )


def grouped_key(secret: str) -> str:
    """The secret in groups of four, for people who type it in: ``ABCD EFGH …``."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def is_totp_code(value: str) -> bool:
    """Whether ``value`` has the shape of an app's code (six digits, spaces allowed)."""
    return bool(re.fullmatch(rf"\d{{{DIGITS}}}", _SPACES.sub("", value or "")))


def current_step() -> int:
    return int(clock()) // STEP_SECONDS


def matching_step(secret: str, code: str, after: int | None = None) -> int | None:
    """The time-step, later than ``after``, whose code ``code`` is; None if none
    near the current time is. Compared in constant time."""
    if not secret or not is_totp_code(code):
        return None
    code = _SPACES.sub("", code)
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    now = current_step()
    for step in range(now - STEPS_AROUND, now + STEPS_AROUND + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten new recovery codes, as they are shown: ``abcde-fghjk``."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def recovery_code_hash(code: str) -> str:
    """How a recovery code is kept: SHA-256 (hex) of it without spaces or
    dashes, lower-cased, so it matches however it is typed."""
    return hashlib.sha256(_SPACES.sub("", code or "").lower().encode("utf-8")).hexdigest()


class RecoveryCode(db.Model):
    """One unused recovery code of a staff user; the row goes when it is used."""

    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    # SHA-256 (hex) of the code, never the code itself.
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
