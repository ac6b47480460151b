"""contract signing keys of persons and enterprises

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contract_keys",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("principal_id", sa.String(36), sa.ForeignKey("principals.principal_id"),
                  nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revocation_reason", sa.String(500), nullable=False, server_default=""),
    )
    op.create_index("ix_contract_keys_principal", "contract_keys",
                    ["principal_id", "registered_at"])


def downgrade() -> None:
    op.drop_index("ix_contract_keys_principal", "contract_keys")
    op.drop_table("contract_keys")
