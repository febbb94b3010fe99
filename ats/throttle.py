"""Sign-in limits that hold under concurrency.

An attempt is counted *before* its password is checked, with one atomic
increment per limit (per account, per client address) in the limiter's
storage (RATELIMIT_STORAGE_URI: memory:// in one process, redis:// across
processes). Only the attempts whose increment stayed within the limit go on
to the check; a correct password, or an attempt that was never checked, is
refunded. So of any number of simultaneous wrong passwords for one account,
at most the limit are checked and answered 401: the k-th to be counted saw a
count of at least k, because counts that stay are never taken back.

Counted in fixed windows (the limit's period, from the first attempt), on
keys of their own, whatever RATELIMIT_STRATEGY the rest of the app uses.

When the shared storage (Redis) cannot be reached, attempts are counted in
this process instead, and the log says so: signing in keeps working, with
the limits holding per process until Redis is back (the other limits fall
back the same way, RATELIMIT_IN_MEMORY_FALLBACK_ENABLED).
"""
import logging
import math
import time
from dataclasses import dataclass, field

from flask import current_app
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage
from limits.strategies import FixedWindowRateLimiter
from redis.exceptions import RedisError

from .extensions import limiter

NAMESPACE = "ats-sign-in"
log = logging.getLogger(__name__)
# Where attempts are counted while the shared storage is unreachable.
_IN_PROCESS = MemoryStorage()
UNREACHABLE = (StorageError, RedisError, ConnectionError)


class LimitReached(Exception):
    """One of the sign-in limits is spent; ``retry_after`` seconds until its window ends."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass
class Attempt:
    """An attempt counted against the limits, until it is refunded."""

    storage: Storage | None = None
    counted: list[tuple[RateLimitItem, tuple[str, ...]]] = field(default_factory=list)

    def refund(self) -> None:
        """Take this attempt back off every count it was added to (once)."""
        storage = self.storage
        while self.counted:
            item, identifiers = self.counted.pop()
            key = item.key_for(*identifiers)
            try:
                if storage.incr(key, item.get_expiry(), amount=-1) < 0:
                    # The window ended meanwhile and the refund opened a new one
                    # below zero; put it back rather than grant an extra attempt.
                    storage.incr(key, item.get_expiry(), amount=1)
            except UNREACHABLE:
                # The storage went away since: the attempt stays counted there.
                self.counted.clear()


def count_attempt(email: str, address: str | None) -> Attempt:
    """Count one sign-in attempt for ``email`` from ``address``.

    Raises :class:`LimitReached` when either limit is already spent; the
    attempt then stays counted where it was refused (the window is spent
    anyway) and is refunded where it was not.
    """
    config = current_app.config
    return _count_where_possible([
        (parse(config["ATS_LOGIN_LIMIT"]), ("account", email.strip().lower())),
        (parse(config["ATS_LOGIN_ADDRESS_LIMIT"]), ("address", address or "unknown")),
    ])


def count_reset_request(email: str, address: str | None) -> None:
    """Count one request for a password-reset link for ``email`` (whether
    or not it is anyone's) from ``address``, against limits of their own
    (ATS_PASSWORD_RESET_LIMIT per address asked for, so nobody's inbox can
    be flooded; ATS_PASSWORD_RESET_ADDRESS_LIMIT per client). Raises
    :class:`LimitReached`. Never refunded: every request may send a mail."""
    config = current_app.config
    _count_where_possible([
        (parse(config["ATS_PASSWORD_RESET_LIMIT"]), ("reset-account", email.strip().lower())),
        (parse(config["ATS_PASSWORD_RESET_ADDRESS_LIMIT"]), ("reset-address", address or "unknown")),
    ])


def _count_where_possible(limits) -> Attempt:
    """Count in the limiter's storage, or in this process while it is unreachable."""
    if not (limiter.enabled and limiter.initialized):
        return Attempt()
    try:
        return _count(limiter.storage, limits)
    except UNREACHABLE as error:
        log.warning("sign-in limits: the shared storage is unreachable (%s); counting in this process only",
                    type(error).__name__)
        return _count(_IN_PROCESS, limits)


def _count(storage: Storage, limits) -> Attempt:
    attempt = Attempt(storage)
    strategy = FixedWindowRateLimiter(storage)
    namespace = current_app.config["RATELIMIT_KEY_PREFIX"] + NAMESPACE
    for item, identifiers in limits:
        identifiers = (namespace, *identifiers)
        if not strategy.hit(item, *identifiers):
            attempt.refund()
            reset_at = strategy.get_window_stats(item, *identifiers).reset_time
            raise LimitReached(max(1, math.ceil(reset_at - time.time())))
        attempt.counted.append((item, identifiers))
    return attempt


def limits_health() -> str:
    """``in-process`` for memory:// limits, else whether the storage answers."""
    if current_app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        return "in-process"
    return "ok" if limiter.storage.check() else "unreachable"
