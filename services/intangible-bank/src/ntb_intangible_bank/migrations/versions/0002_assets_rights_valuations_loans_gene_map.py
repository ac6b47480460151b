"""assets, rights confirmations, valuations, ratings, loans, gene map, principals

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
        "assets",
        sa.Column("asset_id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("jurisdiction", sa.String(2), nullable=False),
        sa.Column("registration_number", sa.String(64), nullable=False),
        sa.Column("legal_status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.UniqueConstraint("jurisdiction", "registration_number",
                            name="uq_assets_registration_number"),
    )
    op.create_table(
        "asset_holders",
        sa.Column("asset_id", sa.String(36), primary_key=True),
        sa.Column("principal_id", sa.String(36), primary_key=True, index=True),
    )
    op.create_table(
        "rights_confirmations",
        sa.Column("confirmation_id", sa.String(36), primary_key=True),
        sa.Column("asset_id", sa.String(36), nullable=False, index=True),
        sa.Column("right_kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
    )
    op.create_table(
        "valuations",
        sa.Column("valuation_id", sa.String(36), primary_key=True),
        sa.Column("asset_id", sa.String(36), nullable=False, index=True),
        sa.Column("valued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
    )
    op.create_table(
        "ratings",
        sa.Column("rating_id", sa.String(36), primary_key=True),
        sa.Column("asset_id", sa.String(36), nullable=False, index=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
    )
    op.create_table(
        "loans",
        sa.Column("loan_id", sa.String(36), primary_key=True),
        sa.Column("borrower_id", sa.String(36), nullable=False, index=True),
        sa.Column("lender_id", sa.String(36), nullable=False, index=True),
        sa.Column("asset_id", sa.String(36), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("pledge_status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
    )
    op.create_table(
        "gene_entries",
        sa.Column("asset_id", sa.String(36), primary_key=True),
        sa.Column("sequence", sa.BigInteger(), primary_key=True),
        sa.Column("document", sa.JSON(), nullable=False),
    )
    op.create_table(
        "principals",
        sa.Column("principal_id", sa.String(36), primary_key=True),
        sa.Column("document", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    for table in ("principals", "gene_entries", "loans", "ratings", "valuations",
                  "rights_confirmations", "asset_holders", "assets"):
        op.drop_table(table)
