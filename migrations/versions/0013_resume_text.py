"""resume text: read once when the resume arrives, stored with the application

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 23:00:00

The application page used to parse the resume file on every view; a hostile
file could hold a worker for minutes or fill its memory. The text is now read
once, in a limited child process, and stored here:

- applications.resume_text_status: 'none' (no resume), 'pending' (not read
  yet), 'read' or 'unreadable';
- applications.resume_text: the first 200,000 characters, when read;
- applications.resume_text_truncated: whether the resume had more.

Applications that already have a resume are 'pending'; `flask --app wsgi ats
read-resumes` reads them.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

STATUSES = "('none', 'pending', 'read', 'unreadable')"


def upgrade():
    if op.get_context().dialect.name == 'sqlite':
        # SQLite takes a CHECK in ADD COLUMN but cannot add one afterwards, and
        # a batch would rebuild the table, dropping its stage_counts triggers:
        # write the column with its check (as 0007 does).
        op.execute(
            "ALTER TABLE applications ADD COLUMN resume_text_status VARCHAR(12) DEFAULT 'none' NOT NULL "
            f"CONSTRAINT ck_applications_resume_text_status CHECK (resume_text_status IN {STATUSES})"
        )
    else:
        op.add_column('applications', sa.Column(
            'resume_text_status', sa.String(length=12), server_default='none', nullable=False
        ))
        op.create_check_constraint(op.f('ck_applications_resume_text_status'), 'applications',
                                   f"resume_text_status IN {STATUSES}")
    op.add_column('applications', sa.Column('resume_text', sa.Text(), nullable=True))
    op.add_column('applications', sa.Column(
        'resume_text_truncated', sa.Boolean(), server_default=sa.false(), nullable=False
    ))
    op.execute("UPDATE applications SET resume_text_status = 'pending' WHERE resume_storage_name IS NOT NULL")


def downgrade():
    op.drop_column('applications', 'resume_text_truncated')
    op.drop_column('applications', 'resume_text')
    # SQLite drops a column whose CHECK is its own column constraint, as here.
    if op.get_context().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_applications_resume_text_status'), 'applications', type_='check')
    op.drop_column('applications', 'resume_text_status')
