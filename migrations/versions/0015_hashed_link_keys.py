"""keys to private pages are kept as a salt and the key's SHA-256, never the key

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 22:00:00

Status links, interview-offer links and calendar feed addresses were stored as
the keys themselves, so a copy of the database opened every candidate's page.
Each row now keeps a random salt and the SHA-256 of its key, in the column
that held the key; the key is an HMAC of the salt under ATS_LINK_KEY or
SECRET_KEY (ats.models.tokens). A stored key cannot be kept: every row gets a
new one, so links sent before this migration stop working (their pages stay
reachable through the next mail, which carries the new link).
"""
import base64
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# (table, salt column, column that held the key and now holds its digest, purpose)
KEYS = (
    ('applications', 'status_salt', 'status_token', 'status'),
    ('interview_offers', 'salt', 'token', 'offer'),
    ('staff_users', 'calendar_salt', 'calendar_token', 'calendar'),
)
BATCH = 5000


def _key(secret: bytes, purpose: str, salt: str) -> str:
    mac = hmac.new(secret, f"{purpose}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def upgrade():
    config = current_app.config
    secret = (config.get('ATS_LINK_KEY') or config['SECRET_KEY']).encode()
    connection = op.get_bind()
    for table, salt_column, key_column, purpose in KEYS:
        op.add_column(table, sa.Column(salt_column, sa.String(length=32), nullable=True))
        ids = connection.execute(sa.text(f"SELECT id FROM {table} WHERE {key_column} IS NOT NULL")).scalars().all()
        update = sa.text(f"UPDATE {table} SET {salt_column} = :salt, {key_column} = :digest WHERE id = :id")
        for start in range(0, len(ids), BATCH):
            rows = []
            for row_id in ids[start:start + BATCH]:
                salt = secrets.token_hex(16)
                digest = hashlib.sha256(_key(secret, purpose, salt).encode()).hexdigest()
                rows.append({'id': row_id, 'salt': salt, 'digest': digest})
            connection.execute(update, rows)
    if connection.dialect.name == 'postgresql':
        # SQLite cannot add NOT NULL to a column without rebuilding the table
        # (which would drop its triggers); the models always write a salt.
        op.alter_column('applications', 'status_salt', nullable=False)
        op.alter_column('interview_offers', 'salt', nullable=False)


def downgrade():
    # The keys cannot be recovered: each row gets a new random key, stored
    # as it was before this migration.
    connection = op.get_bind()
    for table, salt_column, key_column, _ in KEYS:
        ids = connection.execute(sa.text(f"SELECT id FROM {table} WHERE {key_column} IS NOT NULL")).scalars().all()
        update = sa.text(f"UPDATE {table} SET {key_column} = :key WHERE id = :id")
        for start in range(0, len(ids), BATCH):
            connection.execute(update, [{'id': i, 'key': secrets.token_urlsafe(32)} for i in ids[start:start + BATCH]])
        op.drop_column(table, salt_column)
