from ntb_fx_model.adapters.tables import metadata
from ntbkit.storage.migrations import run_migrations

run_migrations(metadata)
