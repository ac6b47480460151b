"""`python -m ntb_identity`: serve identity (gRPC, health, /metrics)."""

from ntb_identity.bootstrap import MIGRATIONS, build
from ntb_identity.settings import IdentitySettings
from ntbkit.runtime import main as run


def main() -> None:
    run(IdentitySettings(), build=build, migrations=MIGRATIONS)


if __name__ == "__main__":
    main()
