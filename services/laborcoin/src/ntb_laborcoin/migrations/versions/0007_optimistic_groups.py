"""optimistic group writes: the write statement fails when what it changes was changed

A group of CreateTransfers calls reads its accounts without locks and writes
everything in one statement. That statement updates an account only at the version
it read, and a pending transfer only while it is still pending; when any row was
changed meanwhile, `ledger_write_conflict()` fails the statement as a serialization
failure (SQLSTATE 40001) and nothing of it is kept.

SQLite (embedded mode) runs no such statement: nothing changes there.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE FUNCTION ledger_write_conflict() RETURNS integer LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'accounts or pending transfers changed since they were read'
            USING ERRCODE = 'serialization_failure';
        END $$""")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION ledger_write_conflict()")
