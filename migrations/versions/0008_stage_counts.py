"""stage counts per role, kept by triggers

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 01:20:00

The board and the dashboard show how many applications each role has in each
stage. Counting index entries on every view costs milliseconds per 10,000
applications; this table holds the counts, and triggers keep them in the
same transaction as every write to ``applications``, whoever makes it (the
services, the demo's bulk inserts and deletes, a cascade, a hand-written
fix in psql).

- SQLite: row triggers (SQLite has no others); writers take turns anyway.
- PostgreSQL: statement triggers with transition tables, so a COPY or a
  DELETE of 100,000 rows updates each count once. Before changing counts a
  statement locks all the rows of the roles it touches, in (role, stage)
  order: two transactions moving applications in the same role take turns
  and cannot deadlock on these rows.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

STAGES = ('applied', 'screening', 'interview', 'offer', 'hired', 'rejected', 'withdrawn')

SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER stage_counts_new_role AFTER INSERT ON roles BEGIN
        INSERT INTO stage_counts (role_id, stage, applications) VALUES
            {', '.join(f"(NEW.id, '{stage}', 0)" for stage in STAGES)};
    END
    """,
    """
    CREATE TRIGGER stage_counts_insert AFTER INSERT ON applications BEGIN
        UPDATE stage_counts SET applications = applications + 1
        WHERE role_id = NEW.role_id AND stage = NEW.stage;
    END
    """,
    """
    CREATE TRIGGER stage_counts_delete AFTER DELETE ON applications BEGIN
        UPDATE stage_counts SET applications = applications - 1
        WHERE role_id = OLD.role_id AND stage = OLD.stage;
    END
    """,
    """
    CREATE TRIGGER stage_counts_update AFTER UPDATE OF role_id, stage ON applications
    WHEN OLD.role_id IS NOT NEW.role_id OR OLD.stage IS NOT NEW.stage BEGIN
        UPDATE stage_counts SET applications = applications - 1
        WHERE role_id = OLD.role_id AND stage = OLD.stage;
        UPDATE stage_counts SET applications = applications + 1
        WHERE role_id = NEW.role_id AND stage = NEW.stage;
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER stage_counts_update",
    "DROP TRIGGER stage_counts_delete",
    "DROP TRIGGER stage_counts_insert",
    "DROP TRIGGER stage_counts_new_role",
]


def _apply_changes(changes: str, roles: str) -> str:
    """PL/pgSQL: lock the count rows of ``roles`` in order, then add ``changes``
    (rows of role_id, stage, n)."""
    return f"""
        PERFORM 1 FROM stage_counts WHERE role_id IN ({roles}) ORDER BY role_id, stage FOR UPDATE;
        UPDATE stage_counts AS counts SET applications = counts.applications + delta.n
        FROM (SELECT role_id, stage, SUM(n) AS n FROM ({changes}) AS changes GROUP BY role_id, stage) AS delta
        WHERE counts.role_id = delta.role_id AND counts.stage = delta.stage AND delta.n <> 0;
    """


MOVED = "FROM old_rows AS o JOIN new_rows AS x ON x.id = o.id WHERE o.stage <> x.stage OR o.role_id <> x.role_id"

POSTGRESQL_FUNCTIONS = [
    f"""
    CREATE FUNCTION stage_counts_new_role() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO stage_counts (role_id, stage, applications)
        SELECT NEW.id, stage, 0 FROM unnest(ARRAY[{', '.join(f"'{stage}'" for stage in STAGES)}]) AS stage;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION stage_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {_apply_changes("SELECT role_id, stage, 1 AS n FROM new_rows", "SELECT role_id FROM new_rows")}
        ELSIF TG_OP = 'DELETE' THEN
            {_apply_changes("SELECT role_id, stage, -1 AS n FROM old_rows", "SELECT role_id FROM old_rows")}
        ELSIF EXISTS (SELECT 1 {MOVED}) THEN
            {_apply_changes(
                f"SELECT o.role_id, o.stage, -1 AS n {MOVED} UNION ALL SELECT x.role_id, x.stage, 1 {MOVED}",
                f"SELECT o.role_id {MOVED} UNION SELECT x.role_id {MOVED}",
            )}
        END IF;
        RETURN NULL;
    END $$
    """,
]
POSTGRESQL_TRIGGERS = [
    "CREATE TRIGGER stage_counts_new_role AFTER INSERT ON roles FOR EACH ROW EXECUTE FUNCTION stage_counts_new_role()",
    "CREATE TRIGGER stage_counts_insert AFTER INSERT ON applications REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION stage_counts_follow()",
    "CREATE TRIGGER stage_counts_delete AFTER DELETE ON applications REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION stage_counts_follow()",
    "CREATE TRIGGER stage_counts_update AFTER UPDATE ON applications "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stage_counts_follow()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER stage_counts_update ON applications",
    "DROP TRIGGER stage_counts_delete ON applications",
    "DROP TRIGGER stage_counts_insert ON applications",
    "DROP TRIGGER stage_counts_new_role ON roles",
    "DROP FUNCTION stage_counts_follow()",
    "DROP FUNCTION stage_counts_new_role()",
]


def upgrade():
    op.create_table('stage_counts',
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum(*STAGES, name='stage', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('applications', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_stage_counts_role_id_roles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('role_id', 'stage', name=op.f('pk_stage_counts'))
    )
    # Every role and stage, counted from the applications there are. The
    # triggers come after, in the same transaction on PostgreSQL; on SQLite
    # the migration holds the database's write lock.
    stages = ' UNION ALL '.join(f"SELECT '{stage}' AS stage" for stage in STAGES)
    op.execute(f"""
        INSERT INTO stage_counts (role_id, stage, applications)
        SELECT roles.id, stages.stage,
               (SELECT COUNT(*) FROM applications
                WHERE applications.role_id = roles.id AND applications.stage = stages.stage)
        FROM roles CROSS JOIN ({stages}) AS stages
    """)
    if op.get_context().dialect.name == 'postgresql':
        for statement in POSTGRESQL_FUNCTIONS + POSTGRESQL_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    for statement in POSTGRESQL_DROP if op.get_context().dialect.name == 'postgresql' else SQLITE_DROP:
        op.execute(statement)
    op.drop_table('stage_counts')
