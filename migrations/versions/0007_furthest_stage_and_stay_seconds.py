"""furthest stage reached and time in stage, kept for the reports

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 01:00:30.443122

Two columns the reports page aggregates instead of pairing up the whole stage
history on every view, filled here from the history there is:

- applications.furthest_stage: the furthest pipeline stage ever entered;
- stage_changes.stay_seconds: how long the application had been in the stage
  the change moved it out of.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

STAGES = "('applied', 'screening', 'interview', 'offer', 'hired', 'rejected', 'withdrawn')"
PIPELINE = ('applied', 'screening', 'interview', 'offer', 'hired')


def upgrade():
    if op.get_context().dialect.name == 'sqlite':
        # SQLite takes a CHECK in ADD COLUMN but cannot add one afterwards
        # (Alembic would skip it): write the column with its check.
        op.execute(
            "ALTER TABLE applications ADD COLUMN furthest_stage VARCHAR(20) DEFAULT 'applied' NOT NULL "
            f"CONSTRAINT ck_applications_furthest_stage CHECK (furthest_stage IN {STAGES})"
        )
    else:
        op.add_column('applications', sa.Column(
            'furthest_stage', sa.String(length=20), server_default='applied', nullable=False
        ))
        op.create_check_constraint('ck_applications_furthest_stage', 'applications', f"furthest_stage IN {STAGES}")
    op.add_column('stage_changes', sa.Column('stay_seconds', sa.Float(), nullable=True))

    # The furthest pipeline stage in each application's history; one with no
    # history counts as having reached its current stage.
    rank = ' '.join(f"WHEN '{stage}' THEN {index}" for index, stage in enumerate(PIPELINE))
    stage_of = ' '.join(f"WHEN {index} THEN '{stage}'" for index, stage in enumerate(PIPELINE))
    op.execute(f"""
        UPDATE applications SET furthest_stage = COALESCE(
            (SELECT CASE MAX(CASE to_stage {rank} END) {stage_of} END
             FROM stage_changes WHERE stage_changes.application_id = applications.id),
            CASE WHEN stage IN {PIPELINE} THEN stage ELSE 'applied' END)
    """)
    # Each change's stay: from the change before it to this one.
    if op.get_context().dialect.name == 'sqlite':
        # julianday() is a float of days: round off its noise below a millisecond.
        seconds = "ROUND((julianday(c.created_at) - julianday(p.previous_at)) * 86400.0, 3)"
    else:
        seconds = "EXTRACT(EPOCH FROM c.created_at - p.previous_at)"
    op.execute(f"""
        UPDATE stage_changes AS c SET stay_seconds = {seconds}
        FROM (
            SELECT id, LAG(created_at) OVER (PARTITION BY application_id ORDER BY created_at, id) AS previous_at
            FROM stage_changes
        ) AS p
        WHERE p.id = c.id AND c.from_stage IS NOT NULL AND p.previous_at IS NOT NULL
    """)


def downgrade():
    # SQLite drops a column whose CHECK is its own column constraint, as here.
    op.drop_column('stage_changes', 'stay_seconds')
    if op.get_context().dialect.name != 'sqlite':
        op.drop_constraint('ck_applications_furthest_stage', 'applications', type_='check')
    op.drop_column('applications', 'furthest_stage')
