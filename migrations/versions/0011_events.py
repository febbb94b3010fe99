"""events: what happened, recorded in the transaction that made it happen

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 19:30:00

The outbox the dispatcher reads: every stage move, new application and
interview change adds a row in its own transaction (``ats.models.events``).
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TYPES = ('application.created', 'application.stage_changed', 'interview.scheduled', 'interview.cancelled',
         'interview.rescheduled', 'interview.offered')
UNDISPATCHED = sa.text('dispatched_at IS NULL')


def upgrade():
    op.create_table(
        'events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('type', sa.Enum(*TYPES, name='type', native_enum=False, create_constraint=True, length=40),
                  nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('dispatched_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                                name=op.f('fk_events_application_id_applications'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    )
    op.create_index('ix_events_undispatched', 'events', ['id'], unique=False,
                    sqlite_where=UNDISPATCHED, postgresql_where=UNDISPATCHED)
    op.create_index('ix_events_application_id', 'events', ['application_id'], unique=False)


def downgrade():
    op.drop_index('ix_events_application_id', table_name='events')
    op.drop_index('ix_events_undispatched', table_name='events', sqlite_where=UNDISPATCHED,
                  postgresql_where=UNDISPATCHED)
    op.drop_table('events')
