"""anchors: digests other services seal into the verifiable log

A log leaf is now a transfer or an anchor (exactly one); the sealer keeps a commit-order
cursor for each.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


_IMMUTABLE_PG = [
    """CREATE FUNCTION anchors_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'anchors are immutable: anchor a new digest instead';
       END $$""",
    """CREATE TRIGGER anchors_no_update BEFORE UPDATE OR DELETE ON anchors
       FOR EACH ROW EXECUTE FUNCTION anchors_are_immutable()""",
    """CREATE TRIGGER anchors_no_truncate BEFORE TRUNCATE ON anchors
       FOR EACH STATEMENT EXECUTE FUNCTION anchors_are_immutable()""",
]
_IMMUTABLE_SQLITE = [
    """CREATE TRIGGER anchors_no_update BEFORE UPDATE ON anchors
       BEGIN SELECT RAISE(ABORT, 'anchors are immutable'); END""",
    """CREATE TRIGGER anchors_no_delete BEFORE DELETE ON anchors
       BEGIN SELECT RAISE(ABORT, 'anchors are immutable'); END""",
]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    sequence = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "anchors",
        sa.Column("seq", sequence, primary_key=True, autoincrement=True),
        sa.Column("anchor_id", sa.String(36), nullable=False, unique=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("digest", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("txid", sa.BigInteger(),
                  server_default=sa.text("pg_current_xact_id()::text::bigint") if postgres
                  else None, nullable=True),
    )
    op.create_index("anchors_txid_idx", "anchors", ["txid", "seq"])
    for statement in _IMMUTABLE_PG if postgres else _IMMUTABLE_SQLITE:
        op.execute(statement)
    with op.batch_alter_table("log_leaves") as leaves:
        leaves.alter_column("transfer_id", existing_type=sa.String(36), nullable=True)
        leaves.add_column(sa.Column("anchor_id", sa.String(36), nullable=True))
        leaves.create_unique_constraint("log_leaves_anchor_id_key", ["anchor_id"])
        leaves.create_check_constraint(
            "log_leaves_one_subject", "(transfer_id IS NULL) <> (anchor_id IS NULL)")
    with op.batch_alter_table("log_state") as state:
        state.add_column(sa.Column("anchor_txid", sa.BigInteger(), nullable=False,
                                   server_default="0"))
        state.add_column(sa.Column("anchor_seq", sa.BigInteger(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("log_state") as state:
        state.drop_column("anchor_seq")
        state.drop_column("anchor_txid")
    with op.batch_alter_table("log_leaves") as leaves:
        leaves.drop_constraint("log_leaves_one_subject", type_="check")
        leaves.drop_constraint("log_leaves_anchor_id_key", type_="unique")
        leaves.drop_column("anchor_id")
        leaves.alter_column("transfer_id", existing_type=sa.String(36), nullable=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER anchors_no_truncate ON anchors")
        op.execute("DROP TRIGGER anchors_no_update ON anchors")
        op.execute("DROP FUNCTION anchors_are_immutable()")
    op.drop_table("anchors")
