"""The arXiv e-mail digest: new, cross-listed and replaced entries (readq/ingest/arxiv_email.py)."""

from __future__ import annotations

from pages import LANTERNS, LANTERNS_ID, LANTERNS_NAMES, read_fixture

from readq.ingest.arxiv_email import parse_arxiv_email
from readq.ingest.detect import ListingFormat


def test_digest_every_field() -> None:
    shape, papers, warnings = read_fixture("arxiv_email.txt")
    assert shape is ListingFormat.ARXIV_EMAIL
    assert warnings == []
    parrots, tide, quiet, *_replacements = papers
    # Continuation lines (indented by two spaces) join their field.
    assert parrots.title == (
        "Parrots All the Way Down: Measuring Repetition in Instruction Tuning Data"
    )
    assert parrots.arxiv_id == "2612.04502"
    assert parrots.author_names == ("Quentin Ash", "Rosa Lind", "Sami Okoye")
    assert parrots.categories == ("cs.CL", "cs.LG")
    assert parrots.comments == "9 pages, 2 figures"
    assert parrots.published == "2026-12-02"
    # The hard-wrapped abstract is one paragraph, without the closing "\\ ( … )" line.
    assert parrots.abstract.startswith("Instruction tuning datasets repeat themselves more than")
    assert parrots.abstract.endswith("attributed to data scale. Code: [link]")
    assert "\\" not in parrots.abstract and "kb" not in parrots.abstract

    assert tide.author_names == ("Tomas Ek", "Uma Rao")  # the affiliation is not a name
    assert tide.journal_ref == "Fictional Letters 3 (2026) 44-51"
    assert tide.doi == "10.5555/fict.2026.0077"
    assert tide.categories == ("cs.LG", "stat.ML")

    # A cross-listing is a whole entry.
    assert quiet.arxiv_id == "2612.03877"
    assert quiet.author_names == ("Ines Moreau", "Jun Park")
    assert quiet.abstract.endswith("removing a dozen hyperparameters.")
    assert quiet.published == "2026-12-01"


def test_replacements_give_the_id_and_version_without_an_abstract() -> None:
    _shape, papers, _warnings = read_fixture("arxiv_email.txt")
    lanterns, kelp = papers[3], papers[4]
    assert lanterns.title == LANTERNS
    assert lanterns.arxiv_id == LANTERNS_ID
    assert lanterns.arxiv_version == 3  # from the ".../abs/2612.04011v3" link
    assert lanterns.author_names == LANTERNS_NAMES
    assert lanterns.abstract == ""
    assert lanterns.published is None
    assert lanterns.comments == "13 pages, 5 figures; v3 adds a pruning ablation"
    assert kelp.arxiv_id == "2611.01234"
    assert kelp.arxiv_version == 2  # from "(990kb,v2)"


def test_entries_without_a_title_are_dropped_and_counted() -> None:
    parsed = parse_arxiv_email(
        ["\\\\", "arXiv:2612.00006", "Date: Wed, 2 Dec 2026 10:00:00 GMT", "\\\\ ( x )"]
    )
    assert parsed.papers == []
    assert parsed.skipped == 1
