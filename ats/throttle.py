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
"""
import math
import time
from dataclasses import dataclass, field

from flask import current_app
from limits import RateLimitItem, parse
from limits.strategies import FixedWindowRateLimiter

from .extensions import limiter

NAMESPACE = "ats-sign-in"


class LimitReached(Exception):
    """One of the sign-in limits is spent; ``retry_after`` seconds until its window ends."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass
class Attempt:
    """An attempt counted against the limits, until it is refunded."""

    counted: list[tuple[RateLimitItem, tuple[str, ...]]] = field(default_factory=list)

    def refund(self) -> None:
        """Take this attempt back off every count it was added to (once)."""
        storage = limiter.storage
        while self.counted:
            item, identifiers = self.counted.pop()
            key = item.key_for(*identifiers)
            if storage.incr(key, item.get_expiry(), amount=-1) < 0:
                # The window ended meanwhile and the refund opened a new one
                # below zero; put it back rather than grant an extra attempt.
                storage.incr(key, item.get_expiry(), amount=1)


def count_attempt(email: str, address: str | None) -> Attempt:
    """Count one sign-in attempt for ``email`` from ``address``.

    Raises :class:`LimitReached` when either limit is already spent; the
    attempt then stays counted where it was refused (the window is spent
    anyway) and is refunded where it was not.
    """
    attempt = Attempt()
    if not (limiter.enabled and limiter.initialized):
        return attempt
    config = current_app.config
    limits = [
        (parse(config["ATS_LOGIN_LIMIT"]), ("account", email.strip().lower())),
        (parse(config["ATS_LOGIN_ADDRESS_LIMIT"]), ("address", address or "unknown")),
    ]
    strategy = FixedWindowRateLimiter(limiter.storage)
    for item, identifiers in limits:
        identifiers = (NAMESPACE, *identifiers)
        if not strategy.hit(item, *identifiers):
            attempt.refund()
            reset_at = strategy.get_window_stats(item, *identifiers).reset_time
            raise LimitReached(max(1, math.ceil(reset_at - time.time())))
        attempt.counted.append((item, identifiers))
    return attempt
