"""transfers (immutable), pending state, outcomes, account history

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_IMMUTABLE_PG = [
    """CREATE FUNCTION transfers_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'transfers are immutable: correct with a new transfer';
       END $$""",
    """CREATE TRIGGER transfers_no_update BEFORE UPDATE OR DELETE ON transfers
       FOR EACH ROW EXECUTE FUNCTION transfers_are_immutable()""",
    """CREATE TRIGGER transfers_no_truncate BEFORE TRUNCATE ON transfers
       FOR EACH STATEMENT EXECUTE FUNCTION transfers_are_immutable()""",
]
_IMMUTABLE_SQLITE = [
    """CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers
       BEGIN SELECT RAISE(ABORT, 'transfers are immutable: correct with a new transfer'); END""",
    """CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers
       BEGIN SELECT RAISE(ABORT, 'transfers are immutable: correct with a new transfer'); END""",
]


def upgrade() -> None:
    sequence = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "transfers",
        sa.Column("seq", sequence, primary_key=True, autoincrement=True),
        sa.Column("transfer_id", sa.String(36), nullable=False, unique=True),
        sa.Column("debit_account_id", sa.String(36), sa.ForeignKey("accounts.account_id"),
                  nullable=False),
        sa.Column("credit_account_id", sa.String(36), sa.ForeignKey("accounts.account_id"),
                  nullable=False),
        sa.Column("asset", sa.String(16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("pending_id", sa.String(36), nullable=False),
        sa.Column("timeout_s", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reference", sa.String(128), nullable=False),
        sa.Column("memo", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("txid", sa.BigInteger(),
                  server_default=sa.text("pg_current_xact_id()::text::bigint") if postgres
                  else None, nullable=True),
        sa.CheckConstraint("amount >= 0", name="transfers_amount_non_negative"),
        sa.CheckConstraint("debit_account_id <> credit_account_id",
                           name="transfers_accounts_differ"),
    )
    op.create_index("transfers_debit_idx", "transfers", ["debit_account_id", "seq"])
    op.create_index("transfers_credit_idx", "transfers", ["credit_account_id", "seq"])
    op.create_index("transfers_reference_idx", "transfers", ["reference"])
    op.create_index("transfers_txid_idx", "transfers", ["txid", "seq"])
    op.create_table(
        "pending_transfers",
        sa.Column("transfer_id", sa.String(36), sa.ForeignKey("transfers.transfer_id"),
                  primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("amount_posted", sa.BigInteger(), nullable=False),
        sa.Column("resolved_by", sa.String(36), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("pending_transfers_due_idx", "pending_transfers", ["state", "expires_at"])
    op.create_table(
        "transfer_outcomes",
        sa.Column("transfer_id", sa.String(36), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "account_history",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("version", sa.BigInteger(), primary_key=True),
        sa.Column("transfer_id", sa.String(36), nullable=False),
        sa.Column("debits_posted", sa.BigInteger(), nullable=False),
        sa.Column("credits_posted", sa.BigInteger(), nullable=False),
        sa.Column("debits_pending", sa.BigInteger(), nullable=False),
        sa.Column("credits_pending", sa.BigInteger(), nullable=False),
    )
    for statement in _IMMUTABLE_PG if postgres else _IMMUTABLE_SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER transfers_no_truncate ON transfers")
        op.execute("DROP TRIGGER transfers_no_update ON transfers")
        op.execute("DROP FUNCTION transfers_are_immutable()")
    for table in ("account_history", "transfer_outcomes", "pending_transfers", "transfers"):
        op.drop_table(table)
