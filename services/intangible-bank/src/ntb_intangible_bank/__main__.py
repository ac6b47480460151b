"""`python -m ntb_intangible_bank`: serve intangible-bank (gRPC, health, /metrics), or the
Internet Patent Bank when NTB_INTANGIBLE_BANK_SERVES=patent-bank."""

from ntb_intangible_bank.bootstrap import MIGRATIONS, build, build_patent_bank
from ntb_intangible_bank.patent_bank_settings import PatentBankSettings
from ntb_intangible_bank.settings import Settings
from ntbkit.runtime import main as run


def main() -> None:
    settings = Settings()
    if settings.serves == "patent-bank":
        run(PatentBankSettings(), build=build_patent_bank, migrations=MIGRATIONS)
    else:
        run(settings, build=build, migrations=MIGRATIONS)


if __name__ == "__main__":
    main()
