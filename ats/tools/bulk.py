"""Writing many rows at once (``flask ats demo``): a writer that bypasses the
ORM, status keys made in bulk, and ANALYZE of what was written.

Any bulk load must end with :func:`analyze`: the planner's statistics are
otherwise those of the tables before the load.
"""
import os
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy import text

from ..extensions import db
from ..models import UTCDateTime, tokens
from ..operations import write_transaction

# The columns each table is written with, in the order of the rows' values.
# Bulk rows bypass the models' Python-side defaults: every NOT NULL column
# without a server default must be listed here.
COLUMNS = {
    "candidates": ("id", "email", "email_key", "full_name", "phone", "location", "linkedin_url",
                   "created_at", "updated_at"),
    "applications": ("id", "role_id", "candidate_id", "stage", "version", "closed_from_stage", "furthest_stage",
                     "applied_at", "stage_entered_at", "updated_at",
                     "full_name", "email", "phone", "location", "linkedin_url", "profile", "source",
                     "status_salt", "status_token", "consent_at", "consent_version",
                     "skills_strong", "skills_partial", "skills_assessed"),
    "stage_changes": ("application_id", "from_stage", "to_stage", "reason", "actor_kind", "actor_id",
                      "created_at", "stay_seconds"),
    "application_skill_claims": ("application_id", "skill_id"),
    "self_identifications": ("application_id", "gender", "race_ethnicity", "veteran", "disability",
                             "created_at"),
    "skill_annotations": ("application_id", "skill_id", "level", "note", "updated_by", "updated_at"),
}


class BulkWriter:
    """Rows in batches, written through the driver in the session's transaction,
    parents before children: COPY on PostgreSQL, executemany on SQLite.

    The values are given as the database stores them (``timestamp`` turns an
    aware time into that): SQLAlchemy's per-value processing would take most
    of the run. A thread writes one batch while the next is made, so the
    database's work and Python's overlap on two cores.
    """

    def __init__(self):
        connection = db.session.connection()
        dialect = connection.dialect
        self.copy = dialect.name == "postgresql"
        self.driver = connection.connection.driver_connection
        self.timestamp = UTCDateTime().dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)
        if not self.copy:
            # Room for the indexes being filled: a bigger page cache for this
            # connection turns most of SQLite's page writes into memory work.
            self.driver.execute("PRAGMA cache_size = -262144")
        self.rows: dict[str, list[tuple]] = {table: [] for table in COLUMNS}
        self.written = dict.fromkeys(COLUMNS, 0)
        self._pending: Future | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-writer")

    def add(self, table: str, row: tuple) -> None:
        self.rows[table].append(row)

    def flush(self) -> None:
        """Hand the rows so far to the writing thread, once it is done with the last ones."""
        self._wait()
        batch, self.rows = self.rows, {table: [] for table in COLUMNS}
        self._pending = self._thread.submit(self._write, batch)

    def finish(self) -> None:
        """Write what is left and wait for every write; raises the first error."""
        try:
            self.flush()
            self._wait()
        finally:
            self._thread.shutdown(wait=True, cancel_futures=True)
            if not self.copy:
                self.driver.execute("PRAGMA cache_size = -2000")  # SQLite's default again

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def _write(self, batch: dict[str, list[tuple]]) -> None:
        for table, rows in batch.items():
            if not rows:
                continue
            columns = ", ".join(COLUMNS[table])
            cursor = self.driver.cursor()
            try:
                if self.copy:
                    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join("?" * len(COLUMNS[table]))
                    # Table and column names come from COLUMNS in this module, never from input.
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # nosec B608
            finally:
                cursor.close()
            self.written[table] += len(rows)


class StatusKeys:
    """New status keys' salts and digests (``ats.models.tokens``), as bulk rows
    skip the models' defaults that make them ("status_token" holds the digest).

    The salts are as random as ``tokens.new_salt``'s, read from the system's
    generator a batch at a time: one call per salt cost 100 µs on this
    machine, 100 s of a 1,000,000-application run."""

    SALT_BYTES = 16
    BATCH = 5_000

    def __init__(self) -> None:
        self._random = b""
        self._at = 0

    def next(self) -> tuple[str, str]:
        if self._at >= len(self._random):
            self._random, self._at = os.urandom(self.SALT_BYTES * self.BATCH), 0
        salt = self._random[self._at:self._at + self.SALT_BYTES].hex()
        self._at += self.SALT_BYTES
        return salt, tokens.digest(tokens.key_for(tokens.STATUS, salt))


def suspend_search_index() -> list[str]:
    """Take the board's search index (migration 0018) off ``applications`` for
    a bulk load, in the load's transaction; returns the statements that put it
    back, as the database itself has them, for :func:`restore_search_index`.

    Kept row by row, the index made a 1,000,000-application demo take 1,310 s
    on SQLite and 744 s on PostgreSQL; built once after the rows are in, it
    costs one pass over them."""
    if db.engine.dialect.name == "postgresql":
        definitions = db.session.scalars(text(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'applications' AND indexname = 'ix_applications_search'"
        )).all()
        if definitions:
            db.session.execute(text("DROP INDEX ix_applications_search"))
        return list(definitions)
    triggers = db.session.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'applications' "
        "AND name LIKE 'applications_search_%' ORDER BY name"
    )).all()
    for name, _ in triggers:
        # Trigger names read from sqlite_master just above, never input.
        db.session.execute(text(f"DROP TRIGGER {name}"))  # nosec B608
    return [definition for _, definition in triggers]


def restore_search_index(definitions: list[str]) -> None:
    """Build the search index over every row at once, and put back what keeps
    it (the index on PostgreSQL; the FTS5 table's triggers on SQLite)."""
    if definitions and db.engine.dialect.name == "sqlite":
        db.session.execute(text("INSERT INTO applications_search (applications_search) VALUES ('rebuild')"))
    for definition in definitions:
        db.session.execute(text(definition))


# What a run writes to (stage_counts through the triggers on applications).
TOUCHED = (*COLUMNS, "stage_counts")


def analyze() -> None:
    """Fresh planner statistics for the tables a run wrote, after it commits.

    A bulk load leaves the planner guessing: on PostgreSQL the board took
    148 ms right after a demo of 50,000 and 23 ms after ANALYZE (issue 13).
    Any bulk load (the demo, an import, a restore) must end with it. On
    SQLite, ``analysis_limit`` has ANALYZE sample each index instead of
    reading it all, as ``PRAGMA optimize`` does."""
    # The table names are this module's own, never input.
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"ANALYZE {', '.join(TOUCHED)}"))  # nosec B608
    else:
        write_transaction()
        db.session.execute(text("PRAGMA analysis_limit = 1000"))
        for table in TOUCHED:
            db.session.execute(text(f"ANALYZE {table}"))  # nosec B608
    db.session.commit()
