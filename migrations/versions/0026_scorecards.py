"""scorecards: interviewers' ratings per skill after an interview; decisions with their evidence

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-01 04:45:00

- scorecards: one per interview and interviewer address, with the link's
  salt and key digest, when it was mailed and reminded, the first and latest
  submission, how many there were, the recommendation and a summary.
- scorecard_ratings: the current level and evidence note per skill.
- scorecard_versions: every submission as it was (ratings as JSON by skill slug).
- stage_changes.decision_summary and .evidence: a move to offer or rejected
  after an interview, with why and the evidence as it stood.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

RECOMMENDATION = ('strong_yes', 'yes', 'no', 'strong_no')


def upgrade():
    op.create_table(
        'scorecards',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('interview_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('salt', sa.String(length=32), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('invited_at', sa.DateTime(), nullable=True),
        sa.Column('reminded_at', sa.DateTime(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('recommendation', sa.Enum(*RECOMMENDATION, name='recommendation', native_enum=False,
                                            create_constraint=True, length=20), nullable=True),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], ondelete='CASCADE',
                                name=op.f('fk_scorecards_interview_id_interviews')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecards')),
        sa.UniqueConstraint('digest', name=op.f('uq_scorecards_digest')),
        sa.UniqueConstraint('interview_id', 'email', name=op.f('uq_scorecards_interview_id')),
    )
    op.create_index('ix_scorecards_email', 'scorecards', ['email'])
    op.create_table(
        'scorecard_ratings',
        sa.Column('scorecard_id', sa.Integer(), nullable=False),
        sa.Column('skill_id', sa.Integer(), nullable=False),
        sa.Column('level', sa.Enum('strong', 'partial', 'none', 'unknown', name='level', native_enum=False,
                                   create_constraint=True, length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['scorecard_id'], ['scorecards.id'], ondelete='CASCADE',
                                name=op.f('fk_scorecard_ratings_scorecard_id_scorecards')),
        sa.ForeignKeyConstraint(['skill_id'], ['role_skills.id'],
                                name=op.f('fk_scorecard_ratings_skill_id_role_skills')),
        sa.PrimaryKeyConstraint('scorecard_id', 'skill_id', name=op.f('pk_scorecard_ratings')),
    )
    op.create_table(
        'scorecard_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scorecard_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('submitted_at', sa.DateTime(), nullable=False),
        sa.Column('recommendation', sa.Enum(*RECOMMENDATION, name='recommendation', native_enum=False,
                                            create_constraint=True, length=20), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('ratings', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['scorecard_id'], ['scorecards.id'], ondelete='CASCADE',
                                name=op.f('fk_scorecard_versions_scorecard_id_scorecards')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_versions')),
        sa.UniqueConstraint('scorecard_id', 'version', name=op.f('uq_scorecard_versions_scorecard_id')),
    )
    with op.batch_alter_table('stage_changes') as batch:
        batch.add_column(sa.Column('decision_summary', sa.Text(), nullable=True))
        batch.add_column(sa.Column('evidence', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('stage_changes') as batch:
        batch.drop_column('evidence')
        batch.drop_column('decision_summary')
    op.drop_table('scorecard_versions')
    op.drop_table('scorecard_ratings')
    op.drop_index('ix_scorecards_email', table_name='scorecards')
    op.drop_table('scorecards')
