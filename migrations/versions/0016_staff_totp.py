"""two-step sign-in for staff: a TOTP secret per account and one-time recovery codes

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 10:00:00

Staff can turn on two-step sign-in (security issue 12, item 11):

- staff_users.totp_secret: the authenticator app's secret (base32), set when
  enrolment starts and shown to its owner only until the first code confirms it;
- staff_users.totp_enrolled_at: when it was confirmed; only then does signing
  in ask for a code;
- staff_users.totp_last_step: the time-step of the last code accepted, so the
  same code is never accepted twice;
- staff_recovery_codes: one row per unused recovery code, its SHA-256 only;
  the row is deleted when the code is used.

Every new column is nullable and has no constraint, so on SQLite the batch
adds them with ALTER TABLE and does not rebuild staff_users (which has no
triggers to lose either way; only roles and applications have, 0008).

Written while 0015 was being written elsewhere: the chain is put in order
when both are merged.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enrolled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
    op.create_table(
        'staff_recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'],
                                name=op.f('fk_staff_recovery_codes_user_id_staff_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_recovery_codes')),
    )
    op.create_index(op.f('ix_staff_recovery_codes_user_id'), 'staff_recovery_codes', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_staff_recovery_codes_user_id'), table_name='staff_recovery_codes')
    op.drop_table('staff_recovery_codes')
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enrolled_at')
        batch_op.drop_column('totp_secret')
