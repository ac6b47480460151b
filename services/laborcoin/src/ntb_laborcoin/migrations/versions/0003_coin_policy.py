"""Labor Coin policy: versions, labor basis of the cap, price points; genesis policy

Revision ID: 0003
Revises: 0002
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sequence = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    policies = op.create_table(
        "policies",
        sa.Column("version", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("k", sa.String(40), nullable=False),
        sa.Column("p0", sa.String(40), nullable=False),
        sa.Column("retired_share", sa.String(40), nullable=False),
        sa.Column("fee_rate", sa.String(40), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
    )
    op.create_table(
        "entrustments",
        sa.Column("entrustment_id", sa.String(36), primary_key=True),
        sa.Column("person_id", sa.String(36), nullable=False, index=True),
        sa.Column("available_milli_hours", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("available_milli_hours >= 0", name="entrustments_hours_non_negative"),
    )
    op.create_table(
        "person_values",
        sa.Column("person_id", sa.String(36), primary_key=True),
        sa.Column("value_fen_per_hour", sa.BigInteger(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
    )
    basis = op.create_table(
        "labor_basis",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("weighted_fen_milli_hours", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "price_points",
        sa.Column("sequence", sequence, primary_key=True, autoincrement=True),
        sa.Column("price", sa.String(60), nullable=False),
        sa.Column("reserve_fen", sa.BigInteger(), nullable=False),
        sa.Column("outstanding_units", sa.BigInteger(), nullable=False),
        sa.Column("cause", sa.String(20), nullable=False),
        sa.Column("cause_ref", sa.String(64), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Genesis: the paper's 2% fee, par price 1 CNY, k = 1, half of each fee retired.
    op.bulk_insert(policies, [{
        "version": 1, "k": "1", "p0": "1", "retired_share": "0.5", "fee_rate": "0.02",
        "effective_at": datetime.now(UTC), "set_by": "genesis", "reason": "genesis policy",
    }])
    op.bulk_insert(basis, [{"id": 1, "weighted_fen_milli_hours": 0}])


def downgrade() -> None:
    for table in ("price_points", "labor_basis", "person_values", "entrustments", "policies"):
        op.drop_table(table)
