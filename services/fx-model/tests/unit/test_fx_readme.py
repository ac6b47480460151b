"""The 2013 comparison published in the service README is the code's output on the
packaged data: the block between the README's markers equals
`comparison_markdown(load_default_indicators(), 2013)`, character for character."""

from __future__ import annotations

from pathlib import Path

from ntb_fx_model.domain import load_default_indicators
from ntb_fx_model.domain.report import comparison_markdown

README = Path(__file__).resolve().parents[2] / "README.md"
START, END = "<!-- fx-2013-comparison:start -->\n", "<!-- fx-2013-comparison:end -->"


def test_readme_shows_the_computed_2013_comparison() -> None:
    text = README.read_text(encoding="utf-8")
    published = text[text.index(START) + len(START):text.index(END)]
    assert published == comparison_markdown(load_default_indicators(), 2013)
