from ntb_identity.adapters.tables import metadata
from ntbkit.storage.migrations import run_migrations

run_migrations(metadata)
