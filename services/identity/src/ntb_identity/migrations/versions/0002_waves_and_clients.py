"""value and credit waves, behaviour records, API client rotation columns

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
    with op.batch_alter_table("api_clients") as batch:
        batch.add_column(sa.Column("display_name", sa.String(100), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("secret_issued_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("previous_secret_hash", sa.String(200)))
        batch.add_column(sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True)))
    op.create_table(
        "value_points",
        sa.Column("principal_id", sa.String(36), primary_key=True),
        sa.Column("sequence", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("hourly_value_fen", sa.BigInteger(), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("model_version", sa.BigInteger(), nullable=False),
        sa.Column("cause", sa.String(32), nullable=False),
        sa.Column("cause_ref", sa.String(100), nullable=False),
    )
    op.create_table(
        "credit_points",
        sa.Column("principal_id", sa.String(36), primary_key=True),
        sa.Column("sequence", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scorecard_version", sa.BigInteger(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("breakdown", sa.JSON(), nullable=False),
        sa.Column("cause", sa.String(32), nullable=False),
        sa.Column("cause_ref", sa.String(100), nullable=False),
    )
    op.create_table(
        "behaviour_records",
        sa.Column("record_id", sa.String(100), primary_key=True),
        sa.Column("principal_id", sa.String(36), nullable=False),
        sa.Column("conduct", sa.String(32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
    )
    op.create_index("ix_behaviour_records_principal_id", "behaviour_records", ["principal_id"])
    op.create_index("ix_principals_created", "principals", ["created_at", "principal_id"])


def downgrade() -> None:
    op.drop_index("ix_principals_created", "principals")
    op.drop_index("ix_behaviour_records_principal_id", "behaviour_records")
    op.drop_table("behaviour_records")
    op.drop_table("credit_points")
    op.drop_table("value_points")
    with op.batch_alter_table("api_clients") as batch:
        for column in ("previous_secret_expires_at", "previous_secret_hash",
                       "secret_issued_at", "display_name"):
            batch.drop_column(column)
