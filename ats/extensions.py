"""Flask extensions, created unbound and bound to the app in ``create_app``.

Models import ``db`` from here, never from the package root.
"""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

# Named constraints, so that Alembic migrations can alter them on SQLite and
# PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
csrf = CSRFProtect()
# Staff sign-in. "strong" drops the session when the client's address or
# browser changes; the user loader lives in ats/auth.
login_manager = LoginManager()
login_manager.session_protection = "strong"
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"
# Storage from RATELIMIT_STORAGE_URI (memory:// by default, redis://… for
# several workers). Limits are set per route; none apply by default.
limiter = Limiter(key_func=get_remote_address)


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.split(".")[0] == "sqlite3"


# SQLite's own lower() and LIKE fold ASCII letters only ("ZOË" stays "zoË");
# this function folds every letter (Python's str.lower, as PostgreSQL's
# lower() does in a UTF-8 database). The board's search calls it
# (``ats.services.board.search_condition``).
SQLITE_LOWER = "unicode_lower"


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, let readers and a writer work at once,
    wait for a lock instead of failing at once, let SQLAlchemy (not the
    driver) say when transactions begin, and fold case beyond ASCII."""
    if not _is_sqlite(dbapi_connection):
        return
    dbapi_connection.isolation_level = None
    dbapi_connection.create_function(SQLITE_LOWER, 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 15000")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """On SQLite a transaction that will write takes the write lock when it
    begins (BEGIN IMMEDIATE), so concurrent writers wait their turn instead
    of failing when a read lock cannot be upgraded. See ``write_transaction``."""
    options = conn.get_execution_options()
    if conn.dialect.name != "sqlite" or options.get("isolation_level") == "AUTOCOMMIT":
        return
    immediate = options.get("sqlite_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
