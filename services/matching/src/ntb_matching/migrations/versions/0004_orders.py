"""orders and their saga steps; demands' open hours

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("demands") as batch:
        batch.add_column(sa.Column("open_hours", sa.String(20), nullable=True))
    op.create_table(
        "orders",
        sa.Column("order_id", sa.String(36), primary_key=True),
        sa.Column("demand_id", sa.String(36), nullable=False, index=True),
        sa.Column("entrustment_id", sa.String(36), nullable=False, index=True),
        sa.Column("buyer_id", sa.String(36), nullable=False, index=True),
        sa.Column("worker_id", sa.String(36), nullable=False, index=True),
        sa.Column("hours", sa.String(20), nullable=False),
        sa.Column("hourly_price_fen", sa.BigInteger(), nullable=False),
        sa.Column("labor_value_fen", sa.BigInteger(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(24), nullable=False, index=True),
        sa.Column("saga", sa.String(16), nullable=True, index=True),
        sa.Column("payment_attempt", sa.Integer(), nullable=False),
        sa.Column("buy_coins_if_needed", sa.Boolean(), nullable=False),
        sa.Column("max_coin_price", sa.String(40), nullable=True),
        sa.Column("escrow_units", sa.BigInteger(), nullable=False),
        sa.Column("coin_price", sa.String(40), nullable=True),
        sa.Column("escrow_transfer_id", sa.String(36), nullable=False),
        sa.Column("escrow_expires_at", sa.DateTime(timezone=True), nullable=True, index=True),
        sa.Column("funded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(2000), nullable=False),
        sa.Column("delivery_note", sa.String(2000), nullable=False),
        sa.Column("cancel_reason", sa.String(2000), nullable=False),
        sa.Column("cancelled_by", sa.String(64), nullable=False),
        sa.Column("settlement", sa.JSON(), nullable=True),
        sa.Column("dispute", sa.JSON(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "order_saga_steps",
        sa.Column("order_id", sa.String(36), primary_key=True),
        sa.Column("step_no", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(36), nullable=False, unique=True),
        sa.Column("transfer_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("order_saga_steps")
    op.drop_table("orders")
    with op.batch_alter_table("demands") as batch:
        batch.drop_column("open_hours")
