"""Issue 12 (ingest side): what decides that two entries are one paper, through the real CLI.

Titles without letters or digits, invisible characters inside words, a stray byte of another
encoding, UTF-16/UTF-32 files and a date stored with a wrong ``--year``. Every listing here is
fictional, in the shape of a Hugging Face "Daily Papers" copy.
"""

from __future__ import annotations

import json
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
    """Case 3: with the title key and the abstract key both empty, the title's symbols are
    its key: "🚀" and "🔥" stay two papers (they used to become one), and a re-ingest adds
    neither again."""
    listing = tmp_path / "short.txt"
    listing.write_text(hf_listing([("🚀", "Short one.", "Oct 16"), ("🔥", "Short two.", "Oct 16")]))
    _ingest(listing)
    assert _titles() == ["🚀", "🔥"]
    again = _ingest(listing)
    assert _titles() == ["🚀", "🔥"], again


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


def _listing_text() -> str:
    papers = [
        ("Gradient Lanterns in Tiny Transformers", ABSTRACT.format(topic="lantern"), "Oct 16 3"),
        ("Quiet Diffusion • Without Schedules", ABSTRACT.format(topic="diffusion"), "Oct 15"),
        ("Parrots All the Way Down", ABSTRACT.format(topic="parrot"), "Sep 20, 2024 6"),
    ]
    return hf_listing(papers)


def test_a_stray_byte_changes_only_its_own_line(tmp_path: Path) -> None:
    """Case 6: one Latin-1 byte at the end of a UTF-8 listing made readq read the whole file
    as Windows-1252 ("•" became "â€¢" and each author line a junk paper). Now only that line
    is read as Windows-1252, and the warning says how many lines were."""
    listing = tmp_path / "stray.txt"
    text = _listing_text().replace(
        "wide margin.\n\n  • 3 authors\n·\nSep", "wide margin. Café\n\n  • 3 authors\n·\nSep"
    )
    head, tail = text.split("Café")
    listing.write_bytes(head.encode("utf-8") + "Café".encode("latin-1") + tail.encode("utf-8"))
    result = run_readq(["ingest", str(listing)])
    assert result.returncode == 0, result.stderr
    assert "1 line not valid UTF-8; read as Windows-1252" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    titles = _titles()
    assert titles == [
        "Gradient Lanterns in Tiny Transformers",
        "Quiet Diffusion • Without Schedules",
        "Parrots All the Way Down",
    ]
    assert not any("â€" in t for t in titles)
    abstract = query(_db(), "SELECT abstract FROM papers WHERE title LIKE 'Parrots%'")[0][0]
    assert str(abstract).endswith("wide margin. Café")


def test_a_windows_1252_file_says_how_many_lines_it_re_decoded(tmp_path: Path) -> None:
    """Case 6: a listing saved as Windows-1252 throughout is still read, and the count is of
    the lines that were not UTF-8 (the ASCII ones were)."""
    text = _listing_text().replace("•", "-").replace("Quiet", "Café")
    listing = tmp_path / "cp1252.txt"
    listing.write_bytes(text.encode("cp1252"))
    result = run_readq(["ingest", str(listing)])
    assert result.returncode == 0, result.stderr
    # The three "·" lines and the "Café" title; the other lines are ASCII, so UTF-8.
    assert "4 lines not valid UTF-8; read as Windows-1252" in result.stderr
    assert "Café Diffusion - Without Schedules" in _titles()


def test_utf16_and_utf32_listings_are_read(tmp_path: Path) -> None:
    """Case 15 (file side): a UTF-32 file was refused as "UTF-16 text", a BOM-less UTF-16LE
    file as "binary". Both, and the other byte orders, with and without a BOM, are read."""
    text = _listing_text()
    encodings = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]
    for encoding in encodings:
        listing = tmp_path / f"{encoding}.txt"
        listing.write_bytes(text.encode(encoding))  # "utf-16"/"utf-32" write a BOM
        result = run_readq(["ingest", str(listing)])
        assert result.returncode == 0, (encoding, result.stderr)
        assert result.stderr == "", (encoding, result.stderr)
        assert f"{encoding}.txt: 3 papers" in result.stdout, result.stdout
    assert sorted(_titles()) == [
        "Gradient Lanterns in Tiny Transformers",
        "Parrots All the Way Down",
        "Quiet Diffusion • Without Schedules",
    ]
    dates = [str(r[0]) for r in query(_db(), "SELECT published FROM papers ORDER BY id")]
    assert dates[2] == "2024-09-20" and dates[0].endswith("-10-16"), dates


def test_broken_utf16_is_named_not_called_binary(tmp_path: Path) -> None:
    """Case 15: a file that starts as UTF-16 but breaks later is one line naming UTF-16."""
    listing = tmp_path / "broken.txt"
    listing.write_bytes(_listing_text().encode("utf-16-le") + b"\x00\xd8A\x00")  # lone surrogate
    result = run_readq(["ingest", str(listing)])
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"readq: {listing}: looks like UTF-16 (little-endian) text but is not valid "
        "UTF-16 (little-endian); save it as UTF-8"
    )
    assert _titles() == []


def test_a_wrong_year_is_fixed_by_re_ingesting_with_the_right_one(tmp_path: Path) -> None:
    """Case 20 (ingest part): dates stored with a mistyped ``--year`` stayed wrong after a
    re-ingest with the right year ("0 updated"). A date inferred from year-less text is
    scraped data: the re-ingest replaces it and counts the papers as updated. A date with an
    explicit year is not touched, and the search index sees the new dates."""
    papers = [
        ("Lanterns Revisited", ABSTRACT.format(topic="lantern"), "Oct 16 3"),
        ("Quiet Diffusion Again", ABSTRACT.format(topic="diffusion"), "Oct 15"),
        ("Parrots With a Year", ABSTRACT.format(topic="parrot"), "Sep 20, 2023 6"),
    ]
    listing = tmp_path / "daily.txt"
    listing.write_text(hf_listing(papers), encoding="utf-8")
    _ingest(listing, "--year", "2019")
    assert run_readq(["mark", "read", "1"]).returncode == 0
    assert _years("year:2019") == 2
    out = _ingest(listing, "--year", "2024")
    assert "2 updated" in out, out
    dates = query(_db(), "SELECT published, published_text, status FROM papers ORDER BY id")
    assert dates == [
        ("2024-10-16", "Oct 16", "read"),
        ("2024-10-15", "Oct 15", "new"),
        ("2023-09-20", "Sep 20, 2023", "new"),
    ]
    assert (_years("year:2019"), _years("year:2024"), _years("year:2023")) == (0, 2, 1)
    # The same listing again: nothing to change.
    out = _ingest(listing, "--year", "2024")
    assert "updated" not in out or "0 updated" in out, out


def _years(text: str) -> int:
    result = run_readq(["list", "--query", text, "--json"])
    assert result.returncode == 0, result.stderr
    return len(json.loads(result.stdout))
