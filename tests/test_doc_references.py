"""Engine comments point at headings of the docs that exist, not at spec numbers."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "src" / "oncall_pay").glob("*.py"))
#: The engine files whose comments must cite the docs, never a spec section.
ENGINE_FILES = (
    "_engine.py", "_health.py", "_report.py", "_calendar.py", "_model.py",
    "_intervals.py", "_weeks.py", "_vocab.py", "_notice.py", "_explain.py", "_compare.py",
)  # fmt: skip
REFERENCE = re.compile(r"docs/([\w.-]+\.md)#([\w-]+)")


def github_slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped except
    ``-`` and ``_``, each space a ``-``."""
    text = unicodedata.normalize("NFKC", heading.strip()).lower()
    text = "".join(ch for ch in text if ch.isalnum() or ch in " -_")
    return text.replace(" ", "-")


def anchors(doc: Path) -> set[str]:
    """Every heading anchor of a markdown file (code fences skipped; repeats
    get GitHub's ``-1``, ``-2``, … suffixes)."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    fenced = False
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        match = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if fenced or match is None:
            continue
        slug = github_slug(match.group(1))
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        found.add(slug if n == 0 else f"{slug}-{n}")
    return found


def test_slug_rules() -> None:
    assert github_slug("Per-day standby counts days, not hours") == (
        "per-day-standby-counts-days-not-hours"
    )
    assert github_slug("`rest`: too little rest after a night callout") == (
        "rest-too-little-rest-after-a-night-callout"
    )


def test_references_exist() -> None:
    """Every ``docs/<file>.md#anchor`` in the package names a heading that exists."""
    references = [
        (source.name, doc, anchor)
        for source in SOURCES
        for doc, anchor in REFERENCE.findall(source.read_text(encoding="utf-8"))
    ]
    assert any(doc == "how-pay-is-computed.md" for _, doc, _ in references)
    missing = [
        f"{name}: docs/{doc}#{anchor}"
        for name, doc, anchor in references
        if not (ROOT / "docs" / doc).is_file() or anchor not in anchors(ROOT / "docs" / doc)
    ]
    assert missing == []


@pytest.mark.parametrize("name", ENGINE_FILES)
def test_no_spec_section_numbers(name: str) -> None:
    """The engine cites the docs' headings, not the spec's section numbers."""
    text = (ROOT / "src" / "oncall_pay" / name).read_text(encoding="utf-8")
    assert "§" not in text
    assert "spec/" not in text
    assert "pay-rules.md" not in text
