"""the catalog's version, raised by triggers on every change to the role catalog

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 23:00:00

The public role page is the same for every visitor until the catalog changes
(issue 13): it is built once and kept under ``catalog_version.version``, which
every request reads. Triggers raise the number in the same transaction as any
write to the tables a role page shows, whoever makes it (``ats seed``, the
admin pages, a hand-written fix in psql), so a kept page is never served
after its catalog changed, on any worker of any machine.

- SQLite: row triggers, one per table and kind of write.
- PostgreSQL: one statement trigger per table (TRUNCATE included).

A later batch migration that rebuilds one of these tables on SQLite drops its
triggers (as it would 0008's): it must create them again.

Chained on 0016 while 0017 and 0018 are written elsewhere: the chain is put
in order when they are merged.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

TABLES = ('roles', 'role_skills', 'role_career_steps', 'role_salary_bands', 'role_faqs', 'role_companies',
          'companies')
RAISE = "UPDATE catalog_version SET version = version + 1 WHERE id = 1"


def upgrade():
    op.create_table('catalog_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_version'))
    )
    op.execute("INSERT INTO catalog_version (id, version) VALUES (1, 1)")
    if op.get_context().dialect.name == 'postgresql':
        op.execute(f"""
            CREATE FUNCTION catalog_version_raise() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {RAISE};
                RETURN NULL;
            END $$
        """)
        for table in TABLES:
            op.execute(f"CREATE TRIGGER catalog_version_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                       f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_raise()")
    else:
        for table in TABLES:
            for write in ('insert', 'update', 'delete'):
                op.execute(f"CREATE TRIGGER catalog_version_{table}_{write} AFTER {write.upper()} ON {table} "
                           f"BEGIN {RAISE}; END")


def downgrade():
    if op.get_context().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f"DROP TRIGGER catalog_version_{table} ON {table}")
        op.execute("DROP FUNCTION catalog_version_raise()")
    else:
        for table in TABLES:
            for write in ('insert', 'update', 'delete'):
                op.execute(f"DROP TRIGGER catalog_version_{table}_{write}")
    op.drop_table('catalog_version')
