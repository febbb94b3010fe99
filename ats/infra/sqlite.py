"""SQLite, the embedded default (``make run``): everything the service does
differently on it, in one place.

SQLite allows one writer at a time. When a writer finds the database locked,
SQLite's own answer is to sleep and try again (``busy_timeout``), and the
waiters are not served in turn: with fifty requests writing at once, an
unlucky one can keep losing until its timeout runs out and it fails with
"database is locked" (seen as two 500s in 200 applications sent 50 at a time).
So the threads of one process queue for the write lock, first come, first
served (:class:`WriteQueue`), and only one of them at a time asks SQLite for
it; ``busy_timeout`` is left to settle the rare contention with another
process (a ``flask ats`` command run beside the server).
"""
import collections
import sqlite3
import threading
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

# How long a writer waits for its turn, then for SQLite's lock, before the
# request fails (with 503, see ``ats.errors``). Taking turns, fifty writers at
# once are through in about a second; the limit is for a database that is
# stuck, not busy.
LOCK_WAIT_SECONDS = 60

# SQLite's own lower() and LIKE fold ASCII letters only ("ZOË" stays "zoË");
# this function folds every letter (Python's str.lower, as PostgreSQL's
# lower() does in a UTF-8 database). The board's search calls it
# (``ats.queries.search``).
LOWER = "unicode_lower"


def configure(app) -> None:
    """Prepare ``app`` for its database if that is a SQLite file: make the
    folder the file lives in, and use :class:`Connection` for its connections."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        return
    try:
        _make_folder(Path(url.database or ""))
    except OSError as error:
        # Then SQLite cannot open the file either, and /healthz says so.
        app.logger.error("cannot make the SQLite database's folder: %s", error)
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options["connect_args"] = {**options.get("connect_args", {}), "factory": Connection}
    if url.database and url.database != ":memory:":
        # Connections to a local file are cheap: a request never waits for
        # one (the default pool makes the sixteenth wait up to 30 s). What
        # requests do wait for is their turn to write.
        options.setdefault("max_overflow", -1)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _make_folder(path: Path) -> None:
    """SQLite creates its database file on first connection, but not the folder
    it lives in: ``instance/`` by default, which a fresh clone does not have.
    Made here, so that every way in (``make run``, a ``flask`` command, a WSGI
    server) finds it. Private: the database holds candidates' data.

    (Relative paths are Flask-SQLAlchemy's: it puts them in the instance
    folder and creates that itself.)
    """
    if path.is_absolute():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)


class WriteQueue:
    """A lock handed to its waiters in the order they came."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held = False
        self._waiting: collections.deque[threading.Event] = collections.deque()

    def acquire(self, timeout: float) -> bool:
        with self._guard:
            if not self._held:
                self._held = True
                return True
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(timeout):
            return True
        with self._guard:
            if turn.is_set():  # handed over just as the wait ran out
                return True
            self._waiting.remove(turn)
            return False

    def release(self) -> None:
        with self._guard:
            if self._waiting:
                self._waiting.popleft().set()  # still held: now by the next in line
            else:
                self._held = False


# One queue per database file, shared by every connection of the process.
_queues: dict[str, WriteQueue] = {}
_queues_guard = threading.Lock()


def _queue_for(database: str) -> WriteQueue:
    key = database if database.startswith(("file:", ":memory:")) else str(Path(database).resolve())
    with _queues_guard:
        return _queues.setdefault(key, WriteQueue())


class Connection(sqlite3.Connection):
    """A pysqlite connection whose write transactions take their turn in the
    process's :class:`WriteQueue`; the turn ends when the transaction does."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        self._queue = _queue_for(str(database))
        self._writing = False

    def take_turn(self) -> None:
        """Wait for this connection's turn to write; it ends with the transaction."""
        if not self._queue.acquire(LOCK_WAIT_SECONDS):
            raise sqlite3.OperationalError("database is locked")
        self._writing = True

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.end_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.end_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.end_turn()

    def end_turn(self) -> None:
        if self._writing:
            self._writing = False
            self._queue.release()


def is_locked(error: BaseException) -> bool:
    """Whether ``error`` (a DBAPI error, or SQLAlchemy's wrapper of one) is
    SQLite saying that the lock could not be had in time."""
    error = getattr(error, "orig", error)
    return isinstance(error, sqlite3.OperationalError) and "database is locked" in str(error)


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _is_sqlite(dbapi_connection) -> bool:
    return isinstance(dbapi_connection, sqlite3.Connection)


@event.listens_for(Engine, "connect")
def _pragmas(dbapi_connection, connection_record):
    """Enforce foreign keys, wait for a lock instead of failing at once, let
    readers and a writer work at once, let SQLAlchemy (not the driver) say
    when transactions begin, fold case beyond ASCII, and zero what is deleted."""
    if not _is_sqlite(dbapi_connection):
        return
    dbapi_connection.isolation_level = None
    dbapi_connection.create_function(LOWER, 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    # First: changing the journal mode may itself have to wait for a lock.
    cursor.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_SECONDS * 1000}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    # Deleted and overwritten content is zeroed on its page, not left in
    # the file's free space: an erased candidate is gone from the file
    # itself once the write-ahead log is next checkpointed.
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin(conn):
    """A transaction that will write (``ats.operations.write_transaction``) takes
    its turn and SQLite's write lock when it begins, so concurrent writers wait
    in line instead of failing when a read lock cannot be upgraded. Others
    begin as SQLite's default, deferred."""
    options = conn.get_execution_options()
    if conn.dialect.name != "sqlite" or options.get("isolation_level") == "AUTOCOMMIT":
        return
    if not options.get("sqlite_write", False):
        conn.exec_driver_sql("BEGIN")
        return
    queued = conn.connection.dbapi_connection
    if not isinstance(queued, Connection):  # an engine configure() did not set up
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        return
    queued.take_turn()
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        queued.end_turn()
        raise
