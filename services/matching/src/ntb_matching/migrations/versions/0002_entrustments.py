"""persons projection, their contract keys, entrustments with their contracts

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "persons",
        sa.Column("person_id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("region", sa.String(16), nullable=False),
        sa.Column("industry_code", sa.String(8), nullable=False),
        sa.Column("kyc_status", sa.String(16), nullable=False),
    )
    op.create_table(
        "person_keys",
        sa.Column("key_id", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.String(36), nullable=False, index=True),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "entrustments",
        sa.Column("entrustment_id", sa.String(36), primary_key=True),
        sa.Column("person_id", sa.String(36), nullable=False, index=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("hours", sa.String(20), nullable=False),
        sa.Column("available_hours", sa.String(20), nullable=False),
        sa.Column("available_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("min_price_asset", sa.String(8), nullable=False),
        sa.Column("min_price_units", sa.BigInteger(), nullable=False),
        sa.Column("region", sa.String(16), nullable=False),
        sa.Column("remote_ok", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(2000), nullable=False),
        sa.Column("contract_id", sa.String(36), nullable=False, unique=True),
        sa.Column("canonical_terms", sa.LargeBinary(), nullable=False),
        sa.Column("terms_sha256", sa.LargeBinary(), nullable=False),
        sa.Column("signer_key_id", sa.String(64), nullable=False),
        sa.Column("signer_signature", sa.LargeBinary(), nullable=False),
        sa.Column("platform_signature", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    for table in ("entrustments", "person_keys", "persons"):
        op.drop_table(table)
