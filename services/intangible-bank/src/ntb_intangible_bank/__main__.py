"""`python -m ntb_intangible_bank`: serve intangible-bank (gRPC, health, /metrics)."""

from ntb_intangible_bank.bootstrap import MIGRATIONS, build
from ntb_intangible_bank.settings import Settings
from ntbkit.runtime import main as run


def main() -> None:
    run(Settings(), build=build, migrations=MIGRATIONS)


if __name__ == "__main__":
    main()
