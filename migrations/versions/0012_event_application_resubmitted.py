"""events: application.resubmitted, when an address applies again

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 21:30:00

A second application from the address of an open one stores nothing, but is
recorded as an event so that the dispatcher, not the web view, mails the
existing status link again. The type column's CHECK constraint gains the value.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

BEFORE = ('application.created', 'application.stage_changed', 'interview.scheduled', 'interview.cancelled',
          'interview.rescheduled', 'interview.offered')
AFTER = BEFORE + ('application.resubmitted',)


def _allow(types) -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_events_type'), type_='check')
        batch_op.create_check_constraint(op.f('ck_events_type'), 'type IN (%s)' % ', '.join(f"'{t}'" for t in types))


def upgrade():
    _allow(AFTER)


def downgrade():
    op.execute("DELETE FROM events WHERE type = 'application.resubmitted'")
    _allow(BEFORE)
