"""role status (draft, open, closed) in place of published; who edited a role
in the admin pages; a company's website and description

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 01:30:00

A role page is a draft (not public), open (public, taking applications) or
closed (public, readable, taking none). ``published`` true becomes ``open``,
false ``draft``. ``edited_at`` is set by the admin pages' operations: ``ats
seed`` leaves a role edited there alone unless told ``--force``.

SQLite: plain ADD COLUMN (the CHECK constraint inline) and DROP COLUMN, no
batch rebuild, so the catalog triggers of 0019 stay.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

CHECK = "status IN ('draft', 'open', 'closed')"


def upgrade():
    if op.get_context().dialect.name == 'postgresql':
        op.add_column('roles', sa.Column('status', sa.String(length=10), server_default='open', nullable=False))
        op.create_check_constraint(op.f('ck_roles_role_status'), 'roles', CHECK)
    else:
        op.execute("ALTER TABLE roles ADD COLUMN status VARCHAR(10) DEFAULT 'open' NOT NULL "
                   f"CONSTRAINT ck_roles_role_status CHECK ({CHECK})")
    op.execute("UPDATE roles SET status = 'draft' WHERE NOT published")
    op.drop_column('roles', 'published')
    op.add_column('roles', sa.Column('edited_at', sa.DateTime(), nullable=True))
    op.add_column('companies', sa.Column('website', sa.String(length=300), server_default='', nullable=False))
    op.add_column('companies', sa.Column('description', sa.Text(), server_default='', nullable=False))


def downgrade():
    op.drop_column('companies', 'description')
    op.drop_column('companies', 'website')
    op.drop_column('roles', 'edited_at')
    op.add_column('roles', sa.Column('published', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.execute("UPDATE roles SET published = (status <> 'draft')")
    if op.get_context().dialect.name == 'postgresql':
        op.drop_constraint(op.f('ck_roles_role_status'), 'roles', type_='check')
    op.drop_column('roles', 'status')
