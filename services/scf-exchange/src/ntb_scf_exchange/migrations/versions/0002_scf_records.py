"""alliances, applications, orders, invoices, payables, financings, bids, due work

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from ntb_scf_exchange.adapters import tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TABLES = (tables.alliances, tables.alliance_members, tables.membership_applications,
           tables.purchase_orders, tables.invoices, tables.payables, tables.financings,
           tables.bids, tables.due_work)


def upgrade() -> None:
    bind = op.get_bind()
    for table in _TABLES:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(_TABLES):
        table.drop(bind)
