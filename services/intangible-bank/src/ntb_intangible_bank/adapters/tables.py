"""intangible-bank's tables (its schema only; changed only through Alembic migrations).

Each aggregate is a JSON document (adapters.documents) plus the columns that are
filtered, ordered or unique. The patent bank's tables live in the same schema."""

from __future__ import annotations

import sqlalchemy as sa

from ntbkit.storage.messaging_tables import add_messaging_tables

metadata = sa.MetaData()
add_messaging_tables(metadata)

assets = sa.Table(
    "assets", metadata,
    sa.Column("asset_id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("jurisdiction", sa.String(2), nullable=False),
    sa.Column("registration_number", sa.String(64), nullable=False),
    sa.Column("legal_status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("document", sa.JSON(), nullable=False),
    sa.UniqueConstraint("jurisdiction", "registration_number",
                        name="uq_assets_registration_number"),
)

asset_holders = sa.Table(
    "asset_holders", metadata,
    sa.Column("asset_id", sa.String(36), primary_key=True),
    sa.Column("principal_id", sa.String(36), primary_key=True, index=True),
)

# Creators who are principals: whose value-wave price revalues which assets.
asset_creators = sa.Table(
    "asset_creators", metadata,
    sa.Column("asset_id", sa.String(36), primary_key=True),
    sa.Column("principal_id", sa.String(36), primary_key=True, index=True),
)

rights_confirmations = sa.Table(
    "rights_confirmations", metadata,
    sa.Column("confirmation_id", sa.String(36), primary_key=True),
    sa.Column("asset_id", sa.String(36), nullable=False, index=True),
    sa.Column("right_kind", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("document", sa.JSON(), nullable=False),
)

valuations = sa.Table(
    "valuations", metadata,
    sa.Column("valuation_id", sa.String(36), primary_key=True),
    sa.Column("asset_id", sa.String(36), nullable=False, index=True),
    sa.Column("valued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sequence", sa.Integer(), nullable=False),
    sa.Column("document", sa.JSON(), nullable=False),
)

ratings = sa.Table(
    "ratings", metadata,
    sa.Column("rating_id", sa.String(36), primary_key=True),
    sa.Column("asset_id", sa.String(36), nullable=False, index=True),
    sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("document", sa.JSON(), nullable=False),
)

loans = sa.Table(
    "loans", metadata,
    sa.Column("loan_id", sa.String(36), primary_key=True),
    sa.Column("borrower_id", sa.String(36), nullable=False, index=True),
    sa.Column("lender_id", sa.String(36), nullable=False, index=True),
    sa.Column("asset_id", sa.String(36), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("pledge_status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("document", sa.JSON(), nullable=False),
)

gene_entries = sa.Table(
    "gene_entries", metadata,
    sa.Column("asset_id", sa.String(36), primary_key=True),
    sa.Column("sequence", sa.BigInteger(), primary_key=True),
    sa.Column("document", sa.JSON(), nullable=False),
)

# identity's principals as its events describe them (never identity's tables).
principals = sa.Table(
    "principals", metadata,
    sa.Column("principal_id", sa.String(36), primary_key=True),
    sa.Column("document", sa.JSON(), nullable=False),
)

# The Internet Patent Bank (served by its own process; same schema and migrations).
listings = sa.Table(
    "pb_listings", metadata,
    sa.Column("listing_id", sa.String(36), primary_key=True),
    sa.Column("asset_id", sa.String(36), nullable=False, index=True),
    sa.Column("seller_id", sa.String(36), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("loan_id", sa.String(36), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("document", sa.JSON(), nullable=False),
)

offers = sa.Table(
    "pb_offers", metadata,
    sa.Column("offer_id", sa.String(36), primary_key=True),
    sa.Column("listing_id", sa.String(36), nullable=False, index=True),
    sa.Column("buyer_id", sa.String(36), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("document", sa.JSON(), nullable=False),
)

agreements = sa.Table(
    "pb_agreements", metadata,
    sa.Column("agreement_id", sa.String(36), primary_key=True),
    sa.Column("asset_id", sa.String(36), nullable=False, index=True),
    sa.Column("licensor_id", sa.String(36), nullable=False, index=True),
    sa.Column("licensee_id", sa.String(36), nullable=False, index=True),
    sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("document", sa.JSON(), nullable=False),
)

royalty_payments = sa.Table(
    "pb_royalty_payments", metadata,
    sa.Column("royalty_payment_id", sa.String(36), primary_key=True),
    sa.Column("agreement_id", sa.String(36), nullable=False, index=True),
    sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
    sa.Column("document", sa.JSON(), nullable=False),
)
