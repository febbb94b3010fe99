"""Configuration classes.

``create_app`` picks one by ``ATS_ENV`` (``development`` unless told otherwise).
Secrets and locations come from the environment, never from the code.
"""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def database_url(url: str) -> str:
    """The URL SQLAlchemy should use for ``url``.

    Hosted PostgreSQL often hands out "postgres://" or "postgresql://" URLs;
    this service talks to PostgreSQL through psycopg 3 only.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


# A SECRET_KEY shorter than this is refused: it signs sessions and CSRF tokens.
MIN_SECRET_KEY = 32


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'ats.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    ATS_UPLOAD_DIR = os.environ.get("ATS_UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    # Resumes in an S3 bucket instead of ATS_UPLOAD_DIR: s3://bucket or
    # s3://bucket/prefix (checked at start-up). The endpoint comes from
    # AWS_ENDPOINT_URL, the credentials from boto3's own lookup (AWS_ACCESS_KEY_ID…).
    ATS_STORAGE_URL = os.environ.get("ATS_STORAGE_URL", "")
    ATS_CATALOG_DIR = os.environ.get("ATS_CATALOG_DIR", str(BASE_DIR / "catalog"))
    # The site's address: every absolute link (mail, feeds, JSON-LD, Open
    # Graph) is built from it, never from the request. Required in production.
    # When it is given, a request naming another Host is answered 400
    # (/healthz excepted, for load balancers).
    ATS_PUBLIC_URL = os.environ.get("ATS_PUBLIC_URL", "")
    ATS_CHECK_HOST = bool(os.environ.get("ATS_PUBLIC_URL"))
    # One JSON line per request on standard error (logger "ats.requests").
    ATS_REQUEST_LOG = os.environ.get("ATS_REQUEST_LOG", "true").lower() == "true"
    # Who may read /metrics: addresses or networks, comma-separated.
    ATS_METRICS_ALLOW = os.environ.get("ATS_METRICS_ALLOW", "127.0.0.1/32,::1/128")

    # The secret that candidates' status links, interview-offer links and staff
    # calendar feeds are derived from (ats/models/tokens.py). Empty: SECRET_KEY.
    # Changing it changes every such link.
    ATS_LINK_KEY = os.environ.get("ATS_LINK_KEY", "")
    ATS_SITE_NAME = os.environ.get("ATS_SITE_NAME", "PropelGrad Careers")
    # Roles have no place of work: each is posted to job search engines as
    # remote work open to applicants in this country (ISO 3166-1 alpha-2;
    # the salary bands are in US dollars, the regulations American).
    ATS_JOB_COUNTRY = os.environ.get("ATS_JOB_COUNTRY", "US")

    # How long candidates' data is kept after their last application closes,
    # in months (the privacy notice says it); then the daily purge erases
    # them (ats.operations.erasure). Checked at start-up: 1 to 120.
    ATS_RETENTION_MONTHS = os.environ.get("ATS_RETENTION_MONTHS", "24")

    # Rate limits, in Flask-Limiter notation.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Put before every counter's key: deployments (or test runs) sharing one
    # Redis each need their own, like ATS_QUEUE_NAME.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    RATELIMIT_HEADERS_ENABLED = True
    # With Redis unreachable, limits are counted in each process until it is back.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    ATS_APPLY_LIMIT = os.environ.get("ATS_APPLY_LIMIT", "10 per hour")
    # Requests to the JSON API per token (per client address without one).
    ATS_API_LIMIT = os.environ.get("ATS_API_LIMIT", "600 per minute")
    # Background jobs (mail, resume text): redis://… queues them for
    # `flask --app wsgi ats worker`; unset, they run in the web process
    # right after the request's commit (ats.jobs).
    ATS_QUEUE_URL = os.environ.get("ATS_QUEUE_URL") or None
    # Without a queue, run the sweep (scorecard links and reminders, events
    # left waiting) every ATS_CLOCK_SECONDS in the web process itself
    # (ats/jobs/clock.py). Only `make run` turns it on: one process, no worker.
    ATS_EMBEDDED_CLOCK = os.environ.get("ATS_EMBEDDED_CLOCK", "").lower() in ("1", "true")
    ATS_CLOCK_SECONDS = 60
    # The queue's name in Redis: deployments sharing one Redis each need their own.
    ATS_QUEUE_NAME = os.environ.get("ATS_QUEUE_NAME", "ats")
    # Webhooks may go to loopback and private addresses (development and
    # tests only: otherwise a webhook could reach the service's own network).
    ATS_WEBHOOK_ALLOW_PRIVATE = os.environ.get("ATS_WEBHOOK_ALLOW_PRIVATE", "") == "1"
    ATS_LOGIN_LIMIT = os.environ.get("ATS_LOGIN_LIMIT", "5 per 15 minutes")
    ATS_LOGIN_ADDRESS_LIMIT = os.environ.get("ATS_LOGIN_ADDRESS_LIMIT", "20 per 15 minutes")
    # Password-reset links asked for on the sign-in page: per address asked
    # for (whoever's it is), and per client address.
    ATS_PASSWORD_RESET_LIMIT = os.environ.get("ATS_PASSWORD_RESET_LIMIT", "3 per hour")
    ATS_PASSWORD_RESET_ADDRESS_LIMIT = os.environ.get("ATS_PASSWORD_RESET_ADDRESS_LIMIT", "10 per hour")
    # Argon2 checks (about 64 MiB each at production cost) running at once in
    # one process; a sign-in that finds none free within the wait is answered
    # 429 with Retry-After, before any hashing.
    ATS_PASSWORD_CHECKS_AT_ONCE = int(os.environ.get("ATS_PASSWORD_CHECKS_AT_ONCE", "4"))
    ATS_PASSWORD_CHECK_WAIT = float(os.environ.get("ATS_PASSWORD_CHECK_WAIT", "1"))
    # How many reverse proxies in front of the service set X-Forwarded-For;
    # 0 trusts none, so the client address is the socket's.
    ATS_TRUSTED_PROXIES = int(os.environ.get("ATS_TRUSTED_PROXIES", "0"))

    # Mail: "outbox" writes each message as an .eml file in ATS_MAIL_OUTBOX
    # (development and tests: nothing leaves the machine); "smtp" sends it.
    ATS_MAIL_BACKEND = os.environ.get("ATS_MAIL_BACKEND", "outbox")
    ATS_MAIL_OUTBOX = os.environ.get("ATS_MAIL_OUTBOX", str(INSTANCE_DIR / "outbox"))
    ATS_MAIL_FROM = os.environ.get("ATS_MAIL_FROM", "PropelGrad Careers <careers@localhost>")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "true").lower() == "true"  # STARTTLS
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "false").lower() == "true"
    MAIL_TIMEOUT = 15

    # email-validator looks the domain up in DNS only when told to.
    ATS_EMAIL_CHECK_DELIVERABILITY = os.environ.get("ATS_EMAIL_CHECK_DELIVERABILITY", "false").lower() == "true"
    # Where candidates write to have their data erased; shown on /privacy.
    ATS_PRIVACY_CONTACT = os.environ.get("ATS_PRIVACY_CONTACT", "privacy@propelgrad.example")

    # Resumes are at most 5 MiB; the rest of the form is small.
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024
    # A resume's text is read once, by a background job after the application
    # is stored, in a child process with these limits: CPU seconds and memory
    # (MiB of address space) in the child, and wall-clock seconds after which
    # it is killed. Past any of them the text is "could not be read".
    ATS_RESUME_TEXT_CPU_SECONDS = int(os.environ.get("ATS_RESUME_TEXT_CPU_SECONDS", "10"))
    ATS_RESUME_TEXT_MEMORY_MB = int(os.environ.get("ATS_RESUME_TEXT_MEMORY_MB", "512"))
    ATS_RESUME_TEXT_TIMEOUT_SECONDS = float(os.environ.get("ATS_RESUME_TEXT_TIMEOUT_SECONDS", "20"))
    # Readers run at once per process; a job that finds none free within the
    # wall-clock limit leaves the text 'pending' for the worker's sweep.
    ATS_RESUME_TEXT_AT_ONCE = int(os.environ.get("ATS_RESUME_TEXT_AT_ONCE", "2"))

    # Argon2id cost, as argon2-cffi's PasswordHasher takes it. Empty: the
    # library's defaults (RFC 9106's low-memory profile, about 300 ms a hash
    # here), which production keeps. A stored hash made with other figures is
    # upgraded at its next successful sign-in.
    ATS_PASSWORD_HASHING: dict = {}

    # A staff session ends after this long without a request, and this long
    # after sign-in whatever happens (checked on the server, ``staff_sessions``).
    ATS_SESSION_IDLE_MINUTES = int(os.environ.get("ATS_SESSION_IDLE_MINUTES", "30"))
    ATS_SESSION_MAX_HOURS = int(os.environ.get("ATS_SESSION_MAX_HOURS", "12"))
    # Two-step sign-in (a code from an authenticator app after the password)
    # is each staff member's choice; "true" makes it a must for admins: one
    # without it reaches nothing but its enrolment until it is done.
    ATS_REQUIRE_TOTP_FOR_ADMINS = os.environ.get("ATS_REQUIRE_TOTP_FOR_ADMINS", "false").lower() == "true"
    # The signed cookie is refused after the absolute limit too (Flask checks
    # its signature's age against this), instead of Flask's 31 days.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=ATS_SESSION_MAX_HOURS)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session


class DevelopmentConfig(Config):
    # No key in the code. Without SECRET_KEY, development (chosen explicitly:
    # ATS_ENV=development, as `make run` does) makes a random key of this
    # machine's own, once, in this file (mode 600), and keeps using it.
    ATS_SECRET_KEY_FILE = os.environ.get("ATS_SECRET_KEY_FILE", str(INSTANCE_DIR / "secret_key"))
    # The development server prints a line per request itself.
    ATS_REQUEST_LOG = os.environ.get("ATS_REQUEST_LOG", "false").lower() == "true"
    # Without ATS_PUBLIC_URL, the address `flask run` serves (`make run` passes
    # HOST and PORT as FLASK_RUN_HOST and FLASK_RUN_PORT), and no Host check.
    ATS_PUBLIC_URL = os.environ.get("ATS_PUBLIC_URL") or "http://{}:{}".format(
        os.environ.get("FLASK_RUN_HOST", "127.0.0.1"), os.environ.get("FLASK_RUN_PORT", "5000")
    )


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only-this-key-is-not-a-secret"
    ATS_PUBLIC_URL = "http://localhost"  # the test client's host
    ATS_CHECK_HOST = False  # the browser tests' live server has another; tests of the check turn it on
    ATS_REQUEST_LOG = False  # tests read the log lines through pytest's caplog instead
    ATS_QUEUE_URL = None  # jobs run in-process; the worker's tests set a queue of their own
    ATS_EMBEDDED_CLOCK = False  # no thread sweeping behind the tests' backs; its own test turns it on
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite:///:memory:")
    )
    # The cheapest Argon2id there is: the suite hashes hundreds of passwords,
    # and at production cost that was most of its time. The test of upgrading
    # an outdated hash sets production figures for itself.
    ATS_PASSWORD_HASHING = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
    # Hostile resumes are stopped sooner (a real one takes about 0.1 s of CPU).
    ATS_RESUME_TEXT_CPU_SECONDS = 2
    ATS_RESUME_TEXT_TIMEOUT_SECONDS = 10


class ProductionConfig(Config):
    ATS_MAIL_BACKEND = os.environ.get("ATS_MAIL_BACKEND", "smtp")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    name = os.environ.get("ATS_ENV")
    if not name:
        raise RuntimeError(
            "ATS_ENV is not set. On a developer's machine, run `make run` once (it writes .env with "
            "ATS_ENV=development, which every `flask` command run here reads) or set ATS_ENV=development. "
            f"On a server, set ATS_ENV=production, SECRET_KEY (at least {MIN_SECRET_KEY} characters) "
            "and ATS_PUBLIC_URL."
        )
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"ATS_ENV={name!r} is not one of {', '.join(sorted(CONFIGS))}"
        ) from None
