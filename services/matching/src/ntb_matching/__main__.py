"""`python -m ntb_matching`: serve matching (gRPC, health, /metrics)."""

from ntb_matching.bootstrap import MIGRATIONS, build
from ntb_matching.settings import Settings
from ntbkit.runtime import main as run


def main() -> None:
    run(Settings(), build=build, migrations=MIGRATIONS)


if __name__ == "__main__":
    main()
