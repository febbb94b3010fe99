"""password links: one-time links to set a staff password (invitations, resets)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 02:00:00

Admins invite staff from /admin/staff, and anyone can ask for a password
reset on the sign-in page: each sends a one-time link (``password_links``:
the salt and the SHA-256 of the key, never the key). The mail goes out
through the events, whose type constraint gains two values; the events table
has no triggers, so its batch rebuild on SQLite loses nothing.

Chained on 0019 while 0020 is written elsewhere: the chain is put in order
when they are merged.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

BEFORE = ('application.created', 'application.stage_changed', 'interview.scheduled', 'interview.cancelled',
          'interview.rescheduled', 'interview.offered', 'application.resubmitted')
AFTER = BEFORE + ('staff.invited', 'staff.password_reset')


def _allow(types) -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_events_type'), type_='check')
        batch_op.create_check_constraint(op.f('ck_events_type'), 'type IN (%s)' % ', '.join(f"'{t}'" for t in types))


def upgrade():
    op.create_table(
        'password_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.Enum('invite', 'reset', name='purpose', native_enum=False,
                                     create_constraint=True, length=20), nullable=False),
        sa.Column('salt', sa.String(length=32), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'],
                                name=op.f('fk_password_links_user_id_staff_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_links')),
        sa.UniqueConstraint('digest', name=op.f('uq_password_links_digest')),
    )
    op.create_index(op.f('ix_password_links_user_id'), 'password_links', ['user_id'], unique=False)
    _allow(AFTER)


def downgrade():
    op.execute("DELETE FROM events WHERE type IN ('staff.invited', 'staff.password_reset')")
    _allow(BEFORE)
    op.drop_index(op.f('ix_password_links_user_id'), table_name='password_links')
    op.drop_table('password_links')
