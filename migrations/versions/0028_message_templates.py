"""messages to candidates: templates admins edit, and every message sent or waiting

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-01 05:00:00

- message_templates: an admin's wording of a template, by key. A key with no
  row uses the default wording kept in the code (``ats.models.messages``),
  so nothing is loaded here and resetting a template deletes its row.
- candidate_messages: one message to an application's candidate: scheduled
  (with when it may go), sent (with its subject and text as sent) or
  cancelled; claimed by the job sending it, as events are.

The events' type constraint is unchanged: a message due at once rides on
its move's ``application.stage_changed`` event.

Chained on 0026 while 0027 is written elsewhere: the chain is put in order
when they are merged.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'message_templates',
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body_text', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['staff_users.id'], ondelete='SET NULL',
                                name=op.f('fk_message_templates_updated_by_id_staff_users')),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_message_templates')),
    )
    op.create_table(
        'candidate_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('template_key', sa.String(length=40), nullable=False),
        sa.Column('status', sa.Enum('scheduled', 'sent', 'cancelled', name='status', native_enum=False,
                                    create_constraint=True, length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('send_after', sa.DateTime(), nullable=False),
        sa.Column('send_zone', sa.String(length=64), nullable=True),
        sa.Column('claimed_until', sa.DateTime(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(), nullable=True),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('body_text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='CASCADE',
                                name=op.f('fk_candidate_messages_application_id_applications')),
        sa.ForeignKeyConstraint(['created_by_id'], ['staff_users.id'], ondelete='SET NULL',
                                name=op.f('fk_candidate_messages_created_by_id_staff_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_candidate_messages')),
        sa.UniqueConstraint('event_id', name=op.f('uq_candidate_messages_event_id')),
    )
    op.create_index('ix_candidate_messages_due', 'candidate_messages', ['status', 'send_after'])
    op.create_index('ix_candidate_messages_application_id', 'candidate_messages', ['application_id'])


def downgrade():
    op.drop_index('ix_candidate_messages_application_id', table_name='candidate_messages')
    op.drop_index('ix_candidate_messages_due', table_name='candidate_messages')
    op.drop_table('candidate_messages')
    op.drop_table('message_templates')
