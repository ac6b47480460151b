"""identity's tables (its schema only; changed only through Alembic migrations)."""

from __future__ import annotations

import sqlalchemy as sa

from ntbkit.storage.messaging_tables import add_messaging_tables

metadata = sa.MetaData()

principals = sa.Table(
    "principals",
    metadata,
    sa.Column("principal_id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("country_code", sa.String(2), nullable=False),
    sa.Column("region", sa.String(16), nullable=False),
    sa.Column("industry_code", sa.String(8), nullable=False),
    sa.Column("kyc_status", sa.String(16), nullable=False),
    sa.Column("person", sa.JSON(), nullable=True),
    sa.Column("enterprise", sa.JSON(), nullable=True),
    sa.Column("version", sa.BigInteger(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

sa.Index("ix_principals_created", principals.c.created_at, principals.c.principal_id)

api_clients = sa.Table(
    "api_clients",
    metadata,
    sa.Column("client_id", sa.String(64), primary_key=True),
    sa.Column(
        "principal_id", sa.String(36), sa.ForeignKey("principals.principal_id"), nullable=False
    ),
    sa.Column("secret_hash", sa.String(200), nullable=False),
    sa.Column("roles", sa.JSON(), nullable=False),
    sa.Column("scopes", sa.JSON(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("display_name", sa.String(100), nullable=False, server_default=""),
    sa.Column("secret_issued_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("previous_secret_hash", sa.String(200), nullable=True),
    sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True), nullable=True),
)

signing_keys = sa.Table(
    "signing_keys",
    metadata,
    sa.Column("key_id", sa.String(64), primary_key=True),
    sa.Column("private_key_sealed", sa.LargeBinary(), nullable=False),
    sa.Column("public_key", sa.LargeBinary(), nullable=False),
    sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
    sa.Column("not_after", sa.DateTime(timezone=True), nullable=True),
)

contract_keys = sa.Table(
    "contract_keys",
    metadata,
    sa.Column("key_id", sa.String(32), primary_key=True),
    sa.Column(
        "principal_id", sa.String(36), sa.ForeignKey("principals.principal_id"), nullable=False
    ),
    sa.Column("public_key", sa.LargeBinary(), nullable=False),
    sa.Column("label", sa.String(100), nullable=False),
    sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revocation_reason", sa.String(500), nullable=False, server_default=""),
)

sa.Index("ix_contract_keys_principal", contract_keys.c.principal_id,
         contract_keys.c.registered_at)

value_points = sa.Table(
    "value_points",
    metadata,
    sa.Column("principal_id", sa.String(36), primary_key=True),
    sa.Column("sequence", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("hourly_value_fen", sa.BigInteger(), nullable=False),
    sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("inputs", sa.JSON(), nullable=False),
    sa.Column("model_version", sa.BigInteger(), nullable=False),
    sa.Column("cause", sa.String(32), nullable=False),
    sa.Column("cause_ref", sa.String(100), nullable=False),
)

credit_points = sa.Table(
    "credit_points",
    metadata,
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

behaviour_records = sa.Table(
    "behaviour_records",
    metadata,
    sa.Column("record_id", sa.String(100), primary_key=True),
    sa.Column("principal_id", sa.String(36), nullable=False, index=True),
    sa.Column("conduct", sa.String(32), nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("late", sa.Boolean(), nullable=False),
    sa.Column("rating", sa.Integer(), nullable=False),
)

add_messaging_tables(metadata)
