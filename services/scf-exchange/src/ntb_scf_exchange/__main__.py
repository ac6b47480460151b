"""`python -m ntb_scf_exchange`: serve scf-exchange (gRPC, health, /metrics)."""

from ntb_scf_exchange.bootstrap import MIGRATIONS, build
from ntb_scf_exchange.settings import Settings
from ntbkit.runtime import main as run


def main() -> None:
    run(Settings(), build=build, migrations=MIGRATIONS)


if __name__ == "__main__":
    main()
