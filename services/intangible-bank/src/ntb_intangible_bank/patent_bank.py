"""`python -m ntb_intangible_bank.patent_bank`: serve the Internet Patent Bank (its own
process and Deployment, on intangible-bank's schema)."""

from ntb_intangible_bank.bootstrap import MIGRATIONS, build_patent_bank
from ntb_intangible_bank.patent_bank_settings import PatentBankSettings
from ntbkit.runtime import main as run


def main() -> None:
    run(PatentBankSettings(), build=build_patent_bank, migrations=MIGRATIONS)


if __name__ == "__main__":
    main()
