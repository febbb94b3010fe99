"""search index: the board's ?q= through the databases' own trigram indexes

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 23:10:00

The board's ``?q=`` keeps applications whose name, email, location, profile
or resume text contains the query, without case (``ats.queries.search``).
Without an index that reads every row of the role; with one, the database
reads the few rows that hold the query's trigrams.

- PostgreSQL: the pg_trgm extension (trusted: a database owner may create
  it) and one GIN index of trigrams over the five texts joined by U+001F,
  a character no query holds: ILIKE '%…%' on that same expression uses it.
- SQLite: applications_search, an FTS5 table with the trigram tokenizer
  (SQLite 3.34 or later) over the same five columns, its content read from
  applications (no second copy of the text). Triggers on applications keep
  it in the same transaction as every insert, delete and change of a
  searched column, whoever writes them; an external-content index must be
  told the old values exactly when a row goes, and the triggers' OLD row is
  exactly what they indexed. Filled here from the rows already there.

Downgrade drops the index, or the table and its triggers; it leaves the
pg_trgm extension, which something else may use.

Written while 0017 was being written elsewhere: the chain is put in order
when both are merged. On SQLite, a later batch migration that rebuilds
``applications`` drops these triggers with the old table (as it does those
of 0008): it must create them again.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

COLUMNS = ('full_name', 'email', 'location', 'profile', 'resume_text')
SEARCHED = ', '.join(COLUMNS)


def _values(row: str) -> str:
    return ', '.join(f'{row}.{column}' for column in COLUMNS)


INDEX_NEW = f"INSERT INTO applications_search (rowid, {SEARCHED}) VALUES (NEW.id, {_values('NEW')});"
FORGET_OLD = (f"INSERT INTO applications_search (applications_search, rowid, {SEARCHED}) "
              f"VALUES ('delete', OLD.id, {_values('OLD')});")


# PostgreSQL: the expression ats.queries.search matches with ILIKE, exactly.
SEARCH_TEXT = " || E'\\x1f' || ".join(("full_name", "email", "location", "profile", "coalesce(resume_text, '')"))
POSTGRESQL_UPGRADE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX ix_applications_search ON applications USING gin (({SEARCH_TEXT}) gin_trgm_ops)",
]
POSTGRESQL_DOWNGRADE = ["DROP INDEX ix_applications_search"]

SQLITE_UPGRADE = [
    f"CREATE VIRTUAL TABLE applications_search USING fts5({SEARCHED}, "
    "content='applications', content_rowid='id', tokenize='trigram')",
    f"""
    CREATE TRIGGER applications_search_insert AFTER INSERT ON applications BEGIN
        {INDEX_NEW}
    END
    """,
    f"""
    CREATE TRIGGER applications_search_delete AFTER DELETE ON applications BEGIN
        {FORGET_OLD}
    END
    """,
    f"""
    CREATE TRIGGER applications_search_update AFTER UPDATE OF id, {SEARCHED} ON applications
    WHEN {' OR '.join(f'OLD.{column} IS NOT NEW.{column}' for column in ('id',) + COLUMNS)} BEGIN
        {FORGET_OLD}
        {INDEX_NEW}
    END
    """,
    "INSERT INTO applications_search (applications_search) VALUES ('rebuild')",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER applications_search_update",
    "DROP TRIGGER applications_search_delete",
    "DROP TRIGGER applications_search_insert",
    "DROP TABLE applications_search",
]


def upgrade():
    for statement in POSTGRESQL_UPGRADE if op.get_context().dialect.name == 'postgresql' else SQLITE_UPGRADE:
        op.execute(statement)


def downgrade():
    for statement in POSTGRESQL_DOWNGRADE if op.get_context().dialect.name == 'postgresql' else SQLITE_DOWNGRADE:
        op.execute(statement)
