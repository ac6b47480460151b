"""`python -m ntb_fx_model`: serve fx-model (gRPC, health, /metrics)."""

from ntb_fx_model.bootstrap import MIGRATIONS, build
from ntb_fx_model.settings import Settings
from ntbkit.runtime import main as run


def main() -> None:
    run(Settings(), build=build, migrations=MIGRATIONS)


if __name__ == "__main__":
    main()
