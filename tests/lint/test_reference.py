"""The committed rules reference is what the rule classes generate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from evalspec.lint.base import RULES
from evalspec.lint.docs import anchor, reference

DOCS = Path(__file__).parents[2] / "docs" / "rules.md"


def test_docs_rules_md_is_current() -> None:
    committed = DOCS.read_text(encoding="utf-8")
    assert committed == reference(), "regenerate: python -m evalspec.lint.docs > docs/rules.md"


def test_the_module_prints_the_reference() -> None:
    done = subprocess.run([sys.executable, "-m", "evalspec.lint.docs"], capture_output=True,
                          text=True, check=True)  # fmt: skip
    assert done.stdout == reference()


def test_every_rule_has_a_section_and_an_anchor() -> None:
    text = reference()
    for code, cls in RULES.items():
        assert f"### {code} {cls.name}\n" in text
        assert f"(#{anchor(cls)})" in text
        assert cls.url().endswith("#" + anchor(cls))
