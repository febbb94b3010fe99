"""Staff accounts: who may sign in, with which access, and their password."""
import contextlib
import enum
import functools
import threading
from collections.abc import Iterator
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from ..extensions import db
from . import tokens
from .types import UTCDateTime, utcnow, value_enum

MIN_PASSWORD_LENGTH = 12


def password_hasher() -> PasswordHasher:
    """Argon2id at the cost the app's ATS_PASSWORD_HASHING sets; outside an
    app, the library's defaults (RFC 9106's low-memory profile)."""
    settings = current_app.config["ATS_PASSWORD_HASHING"] if has_app_context() else {}
    return _hasher_with(**settings)


@functools.cache
def _hasher_with(**settings) -> PasswordHasher:
    return PasswordHasher(**settings)


@functools.total_ordering
class Access(enum.Enum):
    """What a staff user may do. Ordered: admin ≥ manager ≥ recruiter.

    (A "role" is a job role page in this codebase, hence "access".)
    """

    RECRUITER = "recruiter"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def rank(self) -> int:
        return list(Access).index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Access):
            return NotImplemented
        return self.rank < other.rank


class StaffUser(db.Model):
    """A recruiter, manager or admin who signs in to the staff pages."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Always lower-case, so one address is one account whatever its spelling.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    access: Mapped[Access] = mapped_column(value_enum(Access, "access"))
    # Empty until an invited user sets their password through their link
    # (``password_links``): no password matches it.
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # This user's private calendar feed address (``tokens``): the salt of its
    # key and the key's SHA-256; None until made.
    calendar_salt: Mapped[str | None] = mapped_column(String(32))
    calendar_digest: Mapped[str | None] = mapped_column("calendar_token", String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-step sign-in (``ats.models.two_step``): the TOTP secret, from the
    # start of enrolment; the time its first code confirmed it (only then is a
    # code asked at sign-in); the time-step of the last code accepted.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    @validates("email")
    def _lower_case_email(self, key: str, value: str) -> str:
        return value.strip().lower()

    # --- Flask-Login -----------------------------------------------------------
    # Written out rather than taken from UserMixin, whose __eq__ compares users
    # by get_id (so that any two unsaved users would be equal).

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """The user id Flask-Login keeps in the cookie. It alone signs no one
        in: ``ats.access.load_user`` also needs the session's row in
        ``staff_sessions`` (``ats.models.sessions``)."""
        return str(self.id)

    # --- Password ----------------------------------------------------------------
    # Ending the user's sessions when the password changes or the account is
    # deactivated is the operations' part (``ats.operations.staff``).

    def set_password(self, password: str) -> None:
        """Store an Argon2 hash of ``password``."""
        check_password_rule(password)
        self.password_hash = password_hasher().hash(password)

    @property
    def has_password(self) -> bool:
        """False for an invited user who has not set a password yet."""
        return bool(self.password_hash)

    def check_password(self, password: str) -> bool:
        """Whether ``password`` is this user's; upgrades an outdated hash in place."""
        accepted, rehashed = verify_password(self.password_hash, password)
        if rehashed:
            self.password_hash = rehashed
        return accepted

    @property
    def calendar_token(self) -> str | None:
        """The key in this user's calendar feed address, if they have made one."""
        return tokens.key_for(tokens.CALENDAR, self.calendar_salt) if self.calendar_salt else None

    def new_calendar_key(self) -> str:
        """A new calendar feed key; the old address stops working."""
        self.calendar_salt = tokens.new_salt()
        self.calendar_digest = tokens.digest(self.calendar_token)
        return self.calendar_token

    @property
    def two_step_on(self) -> bool:
        """Whether signing in asks for a code after the password."""
        return self.totp_enrolled_at is not None

    def has_access(self, minimum: Access) -> bool:
        return self.active and self.access >= minimum

    def __repr__(self) -> str:
        return f"<StaffUser {self.email} {self.access.value}>"


def check_password_rule(password: str) -> None:
    """Raise ValueError, saying why, if ``password`` is too weak to be set."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("not-a-password-anyone-has")


def verify_password(stored_hash: str | None, password: str) -> tuple[bool, str | None]:
    """Whether ``password`` matches ``stored_hash``, and when it does and the
    hash was made at another cost, a new hash to store in its place."""
    if not stored_hash:
        return False, None
    hasher = password_hasher()
    try:
        hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False, None
    return True, hasher.hash(password) if hasher.check_needs_rehash(stored_hash) else None


def verify_dummy_password(password: str) -> None:
    """Spend the time a real check would, so that an unknown email answers as
    slowly as a known one with a wrong password."""
    hasher = password_hasher()
    try:
        hasher.verify(_dummy_hash(hasher), password)
    except VerificationError:
        pass


# --- How many password checks run at once -----------------------------------
# Argon2id at production cost takes about 64 MiB and a few hundred
# milliseconds a check. Unbounded, a burst of sign-ins (even for unknown
# accounts, which cost a dummy check) took one process from 73 MB to 1 GB.


class PasswordChecksBusy(Exception):
    """Every password-check slot of this process stayed taken for the whole wait."""


_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


def _check_slots(size: int) -> threading.BoundedSemaphore:
    with _slots_lock:
        if size not in _slots:
            _slots[size] = threading.BoundedSemaphore(size)
        return _slots[size]


@contextlib.contextmanager
def password_check_slot() -> Iterator[None]:
    """Hold one of the process's ATS_PASSWORD_CHECKS_AT_ONCE slots for a
    password check; raise :class:`PasswordChecksBusy` when none frees up
    within ATS_PASSWORD_CHECK_WAIT seconds."""
    config = current_app.config
    slots = _check_slots(max(1, int(config["ATS_PASSWORD_CHECKS_AT_ONCE"])))
    if not slots.acquire(timeout=float(config["ATS_PASSWORD_CHECK_WAIT"])):
        raise PasswordChecksBusy()
    try:
        yield
    finally:
        slots.release()
