"""ntbkit: the runtime every NTB service shares (written once, used by all six)."""
