"""events: scorecard.requested and scorecard.reminded, mail to interviewers

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-01 05:00:00

When an interview ends, each interviewer is mailed the link to their
scorecard, and reminded once a day later if it is not in; both go out
through the events, whose type constraint gains the two values. The events
table has no triggers, so its batch rebuild on SQLite loses nothing.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

BEFORE = ('application.created', 'application.stage_changed', 'interview.scheduled', 'interview.cancelled',
          'interview.rescheduled', 'interview.offered', 'application.resubmitted', 'staff.invited',
          'staff.password_reset')
AFTER = BEFORE + ('scorecard.requested', 'scorecard.reminded')


def _allow(types) -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_events_type'), type_='check')
        batch_op.create_check_constraint(op.f('ck_events_type'), 'type IN (%s)' % ', '.join(f"'{t}'" for t in types))


def upgrade():
    _allow(AFTER)


def downgrade():
    op.execute("DELETE FROM events WHERE type IN ('scorecard.requested', 'scorecard.reminded')")
    _allow(BEFORE)
