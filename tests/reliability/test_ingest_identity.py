"""Issue 12 (ingest side): what decides that two entries are one paper, through the real CLI.

Titles without letters or digits, invisible characters inside words, a stray byte of another
encoding, UTF-16/UTF-32 files and a date stored with a wrong ``--year``. Every listing here is
fictional, in the shape of a Hugging Face "Daily Papers" copy.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from relutil import query, run_readq

ABSTRACT = (
    "We study {topic} in a made-up setting and find that a small change to the {topic} "
    "objective improves a fictional benchmark by a wide margin."
)


def hf_listing(papers: Sequence[tuple[str, str, str]]) -> str:
    """A Hugging Face listing of (title, abstract, date line) papers, page chrome first."""
    parts = ["Daily Papers", "", "byAK and the research community", ""]
    for title, abstract, date_line in papers:
        parts += [title, "", abstract, "", "  • 3 authors", "·", date_line, ""]
    return "\n".join(parts) + "\n"


def _db() -> Path:
    return Path(os.environ["READQ_DB"])


def _titles() -> list[str]:
    return [str(r[0]) for r in query(_db(), "SELECT title FROM papers ORDER BY id")]


def _ingest(path: Path, *extra: str) -> str:
    result = run_readq(["ingest", *extra, str(path)])
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def test_titles_without_letters_or_digits_are_different_papers(tmp_path: Path) -> None:
    """Case 3: "🚀", "🔥", "∇²", "..", "..." with different abstracts were 2 papers (an empty
    title key merged them); the abstract now tells them apart, and a re-ingest merges each
    with itself only."""
    titles = ["🚀", "🔥", "∇²", "..", "..."]
    papers = [(t, ABSTRACT.format(topic=f"topic {i}"), "Oct 16") for i, t in enumerate(titles)]
    listing = tmp_path / "symbols.txt"
    listing.write_text(hf_listing(papers), encoding="utf-8")
    _ingest(listing)
    assert _titles() == titles
    abstracts = {str(r[0]) for r in query(_db(), "SELECT abstract FROM papers")}
    assert abstracts == {p[1] for p in papers}
    again = _ingest(listing)
    assert _titles() == titles, again


def test_symbol_titles_with_no_usable_abstract_are_never_merged(tmp_path: Path) -> None:
    """Case 3: with the title key and the abstract key both empty nothing identifies a paper,
    so it is merged with nothing (the last two used to become one)."""
    listing = tmp_path / "short.txt"
    listing.write_text(hf_listing([("🚀", "Short one.", "Oct 16"), ("🔥", "Short two.", "Oct 16")]))
    _ingest(listing)
    assert _titles() == ["🚀", "🔥"]


def test_invisible_characters_do_not_split_a_paper(tmp_path: Path) -> None:
    """Case 7: a ZWJ inside "Attention" made a second paper, and ZWNJ, word joiner and soft
    hyphen copies merged into that one; now all five spellings are one paper, stored without
    the invisible characters."""
    spellings = ["Attention", "Atten\u200dtion", "Atten\u200ction", "Atten\u2060tion"]
    spellings.append("Atten\u00adtion")
    abstract = ABSTRACT.format(topic="sparse attention")
    papers = [(f"{s} Is Sparse Enough", abstract, "Oct 16") for s in spellings]
    # Each spelling in its own file, so that the stored paper is looked up each time.
    for index, paper in enumerate(papers):
        listing = tmp_path / f"spelling-{index}.txt"
        listing.write_text(hf_listing([paper]), encoding="utf-8")
        _ingest(listing)
    assert _titles() == ["Attention Is Sparse Enough"]
    # And within one file, a title first seen with a ZWJ.
    listing = tmp_path / "all.txt"
    other = [(f"{s} Heads Are Lanterns", ABSTRACT.format(topic=s), "Oct 16") for s in spellings]
    listing.write_text(hf_listing(list(reversed(other))), encoding="utf-8")
    _ingest(listing)
    assert _titles() == ["Attention Is Sparse Enough", "Attention Heads Are Lanterns"]
