"""letters of credit

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "letters_of_credit",
        sa.Column("letter_of_credit_id", sa.String(36), primary_key=True),
        sa.Column("applicant_id", sa.String(64), nullable=False, index=True),
        sa.Column("beneficiary_id", sa.String(64), nullable=False, index=True),
        sa.Column("issuing_bank_id", sa.String(64), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False))


def downgrade() -> None:
    op.drop_table("letters_of_credit")
