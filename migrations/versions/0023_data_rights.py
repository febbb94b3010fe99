"""data rights: erasure requests, erased candidates and applications, and the
fairness tallies the erased leave behind

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 01:40:00

- candidates.erased_at, applications.erased_at: when the person was erased
  (``ats.operations.erasure``). Nullable columns added in place: no rebuild
  of applications on SQLite, so the triggers of 0008 and 0018 stay.
- erasure_requests: a candidate's request from their status page, for an
  admin to act on within the month the law gives.
- fairness_tallies: the self-identification answers of erased applications,
  as counts by role, day applied, stage and furthest stage, so the fairness
  report does not change when the rows that named someone are deleted.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

STAGES = ('applied', 'screening', 'interview', 'offer', 'hired', 'rejected', 'withdrawn')


def _stage(name):
    return sa.Enum(*STAGES, name=name, native_enum=False, create_constraint=True, length=20)


def upgrade():
    op.add_column('candidates', sa.Column('erased_at', sa.DateTime(), nullable=True))
    op.add_column('applications', sa.Column('erased_at', sa.DateTime(), nullable=True))
    op.create_table(
        'erasure_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('handled_at', sa.DateTime(), nullable=True),
        sa.Column('handled_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='CASCADE',
                                name=op.f('fk_erasure_requests_application_id_applications')),
        sa.ForeignKeyConstraint(['handled_by_id'], ['staff_users.id'],
                                name=op.f('fk_erasure_requests_handled_by_id_staff_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_requests')),
    )
    op.create_index('ix_erasure_requests_application_id', 'erasure_requests', ['application_id'])
    op.create_index('ix_erasure_requests_open', 'erasure_requests', ['requested_at', 'id'],
                    sqlite_where=sa.text('handled_at IS NULL'), postgresql_where=sa.text('handled_at IS NULL'))
    op.create_table(
        'fairness_tallies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('role_id', sa.Integer(), nullable=False),
        sa.Column('applied_at', sa.DateTime(), nullable=False),
        sa.Column('stage', _stage('stage'), nullable=False),
        sa.Column('furthest_stage', _stage('furthest_stage'), nullable=False),
        sa.Column('gender', sa.String(length=40), nullable=False),
        sa.Column('race_ethnicity', sa.String(length=40), nullable=False),
        sa.Column('veteran', sa.String(length=40), nullable=False),
        sa.Column('disability', sa.String(length=40), nullable=False),
        sa.Column('applications', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['role_id'], ['roles.id'], ondelete='CASCADE',
                                name=op.f('fk_fairness_tallies_role_id_roles')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fairness_tallies')),
        sa.UniqueConstraint('role_id', 'applied_at', 'stage', 'furthest_stage', 'gender', 'race_ethnicity',
                            'veteran', 'disability', name='uq_fairness_tallies_cell'),
    )


def downgrade():
    op.drop_table('fairness_tallies')
    op.drop_index('ix_erasure_requests_open', table_name='erasure_requests',
                  sqlite_where=sa.text('handled_at IS NULL'), postgresql_where=sa.text('handled_at IS NULL'))
    op.drop_index('ix_erasure_requests_application_id', table_name='erasure_requests')
    op.drop_table('erasure_requests')
    op.drop_column('applications', 'erased_at')
    op.drop_column('candidates', 'erased_at')
