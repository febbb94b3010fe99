"""indexes for the reports: applications by role and applied date, stays by length

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 01:55:00

- ix_applications_report (role_id, applied_at, furthest_stage, id): the
  reports' filters and their counts by furthest stage, without reading the
  wide application rows (index-only scans on PostgreSQL once vacuumed).
- ix_stage_changes_from_stage_stay (from_stage, stay_seconds): each stage's
  stays in order of length, where SQLite reads the median.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_applications_report', 'applications', ['role_id', 'applied_at', 'furthest_stage', 'id'])
    op.create_index('ix_stage_changes_from_stage_stay', 'stage_changes', ['from_stage', 'stay_seconds'])


def downgrade():
    op.drop_index('ix_stage_changes_from_stage_stay', table_name='stage_changes')
    op.drop_index('ix_applications_report', table_name='applications')
