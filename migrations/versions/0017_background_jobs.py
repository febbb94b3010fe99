"""background jobs: each event's progress through the queue, and jobs that gave up

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 23:30:00

Mail (and later webhooks) leave through background jobs (``ats.jobs``, Huey
over Redis, or in-process without ATS_QUEUE_URL). The events table stays the
outbox; three nullable columns follow an event through the queue:

- events.queued_at: handed to the queue (the worker's sweep hands over what
  the web process could not, e.g. while Redis was down);
- events.claimed_until: a job is delivering it until then, so two jobs never
  send one event's mail; a claim whose job was killed lapses;
- events.failed_at: delivery gave up after its last retry.

job_failures lists every job that failed on its last try, for admins to see
and run again (/admin/jobs). Adding nullable columns needs no rebuild of
events on SQLite (it has no triggers to lose either way).
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queued_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(), nullable=True))
    op.create_table(
        'job_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task', sa.String(length=60), nullable=False),
        sa.Column('args', sa.String(length=200), nullable=False),
        sa.Column('error', sa.String(length=300), nullable=False),
        sa.Column('tries', sa.Integer(), nullable=False),
        sa.Column('failed_at', sa.DateTime(), nullable=False),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['resolved_by_id'], ['staff_users.id'],
                                name=op.f('fk_job_failures_resolved_by_id_staff_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_failures')),
    )
    op.create_index('ix_job_failures_open', 'job_failures', ['id'], unique=False,
                    sqlite_where=sa.text('resolved_at IS NULL'),
                    postgresql_where=sa.text('resolved_at IS NULL'))


def downgrade():
    op.drop_index('ix_job_failures_open', table_name='job_failures',
                  sqlite_where=sa.text('resolved_at IS NULL'),
                  postgresql_where=sa.text('resolved_at IS NULL'))
    op.drop_table('job_failures')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('failed_at')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('queued_at')
