"""blind review per role, each application's reveal, and the audit trail's indexes

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 01:40:00

- roles.blind_review: the admin's switch (``POST /admin/roles/<slug>/blind-review``).
- applications.identity_revealed_at: when the skill match was first saved;
  applications already annotated are revealed from their first annotation.
  Plain added columns: no batch rebuild, so the triggers of 0008, 0018 and
  0019 stay (the backfill's UPDATE touches none of the columns they watch).
- The audit trail page reads newest first by (created_at, id), filtered by
  actor, action and dates: one index per combination of the filters, each
  ending in (created_at, id), so every page is a range scan that stops after
  fifty rows. The (action, created_at) index of 0004 gains the id.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('roles', sa.Column('blind_review', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('applications', sa.Column('identity_revealed_at', sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE applications SET identity_revealed_at = "
        "(SELECT MIN(updated_at) FROM skill_annotations WHERE skill_annotations.application_id = applications.id) "
        "WHERE EXISTS "
        "(SELECT 1 FROM skill_annotations WHERE skill_annotations.application_id = applications.id)"
    )
    op.drop_index('ix_audit_events_action_created', table_name='audit_events')
    op.create_index('ix_audit_events_action_created', 'audit_events', ['action', 'created_at', 'id'])
    op.create_index('ix_audit_events_created', 'audit_events', ['created_at', 'id'])
    op.create_index('ix_audit_events_actor_created', 'audit_events', ['actor_id', 'created_at', 'id'])
    op.create_index('ix_audit_events_actor_action_created', 'audit_events',
                    ['actor_id', 'action', 'created_at', 'id'])


def downgrade():
    op.drop_index('ix_audit_events_actor_action_created', table_name='audit_events')
    op.drop_index('ix_audit_events_actor_created', table_name='audit_events')
    op.drop_index('ix_audit_events_created', table_name='audit_events')
    op.drop_index('ix_audit_events_action_created', table_name='audit_events')
    op.create_index('ix_audit_events_action_created', 'audit_events', ['action', 'created_at'])
    op.drop_column('applications', 'identity_revealed_at')
    op.drop_column('roles', 'blind_review')
