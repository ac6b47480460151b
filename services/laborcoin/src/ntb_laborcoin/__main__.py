"""`python -m ntb_laborcoin`: serve laborcoin (gRPC, health, /metrics)."""

from ntb_laborcoin.bootstrap import MIGRATIONS, build
from ntb_laborcoin.settings import LaborCoinSettings
from ntbkit.runtime import main as run


def main() -> None:
    run(LaborCoinSettings(), build=build, migrations=MIGRATIONS)


if __name__ == "__main__":
    main()
