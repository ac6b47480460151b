"""write path: balance updates stay HOT, the reference index only holds references

Every transfer rewrites two account rows. With free room on each page (fillfactor
70) PostgreSQL updates them in place (HOT), without a new entry in either account
index. Most transfers carry no reference; the reference index now holds only those
that do (look-ups by reference say `reference <> ''`, so they still use it).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE accounts SET (fillfactor = 70)")
    op.drop_index("transfers_reference_idx", table_name="transfers")
    op.create_index("transfers_reference_idx", "transfers", ["reference"],
                    postgresql_where="reference <> ''")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("transfers_reference_idx", table_name="transfers")
    op.create_index("transfers_reference_idx", "transfers", ["reference"])
    op.execute("ALTER TABLE accounts RESET (fillfactor)")
