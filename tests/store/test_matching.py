"""The one matching rule (arXiv id -> DOI -> title -> abstract) and the upgrade merges.

Each test ingests fictional ``ScrapedPaper`` objects as separate listings (so each goes
through a fresh transaction, as repeated pastes do) and looks at what the library holds.
The import path uses the same rule (``Store.match``): the last tests go through it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from readq.importers import import_text
from readq.models import Paper, ScrapedPaper, Source, Status
from readq.store import IngestResult, Store

TITLE = "Lantern Attention: Lighting Long Contexts with Sparse Wicks"
ABSTRACT = (
    "We introduce Lantern Attention, a fictional sparse attention scheme that lights only the "
    "wicks of a long context. On the invented Corridor-1M benchmark it keeps 97% of dense "
    "quality at a tenth of the cost, and we explain why in some detail."
)
PARTIAL = ABSTRACT[:120] + " …"


def ingest(store: Store, *papers: ScrapedPaper, name: str = "listing") -> IngestResult:
    """One listing (one transaction), named so that each call is a new source."""
    ingest.count = getattr(ingest, "count", 0) + 1  # type: ignore[attr-defined]
    path = f"/listings/{name}-{ingest.count}.txt"  # type: ignore[attr-defined]
    return store.ingest(list(papers), Source(name, path, "2026-12-06"), "hf")


def only(store: Store) -> Paper:
    """The library's one paper (fails when the papers were not merged into one)."""
    papers = store.list_papers()
    assert len(papers) == 1, [(p.id, p.title, p.arxiv_id) for p in papers]
    return papers[0]


@pytest.mark.parametrize(
    "spelling",
    [
        "2612.04011",
        "arXiv:2612.04011v3",
        "https://arxiv.org/abs/2612.04011v2",
        "https://arxiv.org/pdf/2612.04011v1.pdf",
        "https://arxiv.org/html/2612.04011",
        "https://huggingface.co/papers/2612.04011",
        "https://www.alphaxiv.org/abs/2612.04011",
    ],
)
def test_the_arxiv_id_matches_in_any_spelling(store: Store, spelling: str) -> None:
    """Different titles, no shared abstract: only the id says it is one paper."""
    ingest(store, ScrapedPaper(TITLE, arxiv_id="2612.04011"))
    result = ingest(store, ScrapedPaper("A quite different heading", arxiv_id=spelling))
    assert (result.new, result.merged) == (0, 1)
    assert only(store).arxiv_id == "2612.04011"


def test_an_arxiv_doi_is_the_arxiv_id(store: Store) -> None:
    ingest(store, ScrapedPaper(TITLE, arxiv_id="2612.04011"))
    ingest(store, ScrapedPaper("Other heading", doi="https://doi.org/10.48550/arXiv.2612.04011"))
    assert only(store).arxiv_id == "2612.04011"


def test_old_style_ids_match(store: Store) -> None:
    ingest(store, ScrapedPaper("Strings on a teapot", arxiv_id="hep-th/9901001v2"))
    ingest(store, ScrapedPaper("Strings on a Teapot (revised)", arxiv_id="arXiv:hep-th/9901001"))
    paper = only(store)
    assert (paper.arxiv_id, paper.arxiv_version) == ("hep-th/9901001", 2)


def test_the_doi_matches_when_there_is_no_id(store: Store) -> None:
    ingest(store, ScrapedPaper(TITLE, doi="10.5555/FICT.Lantern"))
    result = ingest(
        store, ScrapedPaper("Lantern (journal version)", doi="doi:10.5555/fict.lantern")
    )
    assert (result.new, result.merged) == (0, 1)
    assert only(store).doi == "10.5555/fict.lantern"


def test_a_paper_seen_without_an_id_gains_it_by_title(store: Store) -> None:
    """A Hugging Face listing (no id, a count of authors), then an arXiv page: one paper that
    gains the id, the names and the categories."""
    ingest(store, ScrapedPaper(TITLE, ABSTRACT, authors=3, upvotes=12), name="hf")
    result = ingest(
        store,
        ScrapedPaper(
            TITLE.upper(),  # the title key ignores case and punctuation
            ABSTRACT,
            arxiv_id="2612.04011v2",
            author_names=("Ada Quill", "Bram Osei", "Chen Varga"),
            categories=("cs.LG", "cs.AI"),
            comments="14 pages",
        ),
        name="arxiv",
    )
    assert (result.new, result.merged, result.updated) == (0, 1, 1)
    paper = only(store)
    assert paper.title == TITLE
    assert (paper.arxiv_id, paper.arxiv_version) == ("2612.04011", 2)
    assert paper.author_names == ("Ada Quill", "Bram Osei", "Chen Varga")
    assert paper.authors == 3
    assert paper.categories == ("cs.LG", "cs.AI")
    assert paper.comments == "14 pages"
    assert paper.upvotes == 12


def test_a_derived_title_matches_by_abstract(store: Store) -> None:
    ingest(store, ScrapedPaper(ABSTRACT[:50], ABSTRACT, title_derived=True))
    ingest(store, ScrapedPaper(TITLE, ABSTRACT, arxiv_id="2612.04011"))
    paper = only(store)
    assert (paper.title, paper.title_derived, paper.arxiv_id) == (TITLE, False, "2612.04011")


def test_two_different_ids_never_merge(store: Store) -> None:
    """Same title, same abstract, same DOI even: two arXiv ids are two papers. The second is
    reported as a possible duplicate of the first."""
    first = ingest(store, ScrapedPaper(TITLE, ABSTRACT, arxiv_id="2612.04011", doi="10.5555/x"))
    second = ingest(store, ScrapedPaper(TITLE, ABSTRACT, arxiv_id="2612.09999", doi="10.5555/x"))
    assert second.new == 1 and second.merged == 0
    assert second.possible_duplicates == ((second.new_ids[0], first.new_ids[0]),)
    papers = store.list_papers()
    assert sorted(p.arxiv_id or "" for p in papers) == ["2612.04011", "2612.09999"]
    again = ingest(store, ScrapedPaper(TITLE, ABSTRACT, arxiv_id="2612.09999"))
    assert (again.new, again.merged, again.possible_duplicates) == (0, 1, ())


def test_two_ids_in_one_file_stay_apart(store: Store) -> None:
    result = ingest(
        store,
        ScrapedPaper(TITLE, arxiv_id="2612.04011"),
        ScrapedPaper(TITLE, arxiv_id="2612.09999"),
        ScrapedPaper(TITLE, arxiv_id="2612.04011v2"),
    )
    assert (result.papers, result.new) == (3, 2)
    assert result.possible_duplicates == ((2, 1),)
    assert {p.arxiv_id: p.arxiv_version for p in store.list_papers()} == {
        "2612.04011": 2,
        "2612.09999": None,
    }


def test_a_paper_without_an_id_merges_with_the_lowest_of_two_candidates(store: Store) -> None:
    ingest(store, ScrapedPaper(TITLE, arxiv_id="2612.04011"))
    ingest(store, ScrapedPaper(TITLE, arxiv_id="2612.09999"))
    result = ingest(store, ScrapedPaper(TITLE, ABSTRACT))
    assert (result.new, result.merged) == (0, 1)
    assert store.get(1).abstract == ABSTRACT and store.get(2).abstract == ""


def test_a_replacement_raises_the_version_and_never_lowers_it(store: Store) -> None:
    ingest(store, ScrapedPaper(TITLE, ABSTRACT, arxiv_id="2612.04011", arxiv_version=1))
    replaced = ingest(
        store,
        ScrapedPaper(TITLE, arxiv_id="2612.04011v3", comments="v3: new results"),
    )
    assert (replaced.new, replaced.merged, replaced.updated) == (0, 1, 1)
    assert (only(store).arxiv_version, only(store).comments) == (3, "v3: new results")
    older = ingest(store, ScrapedPaper(TITLE, arxiv_id="2612.04011v2", comments="v2 comment"))
    assert older.updated == 0
    assert (only(store).arxiv_version, only(store).comments) == (3, "v3: new results")


def test_a_full_abstract_replaces_a_partial_one_never_the_reverse(store: Store) -> None:
    ingest(store, ScrapedPaper(TITLE, PARTIAL, arxiv_id="2612.04011", abstract_partial=True))
    assert (only(store).abstract, only(store).abstract_partial) == (PARTIAL, True)
    ingest(store, ScrapedPaper(TITLE, ABSTRACT, arxiv_id="2612.04011"))
    assert (only(store).abstract, only(store).abstract_partial) == (ABSTRACT, False)
    result = ingest(
        store, ScrapedPaper(TITLE, PARTIAL, arxiv_id="2612.04011", abstract_partial=True)
    )
    assert result.updated == 0
    assert (only(store).abstract, only(store).abstract_partial) == (ABSTRACT, False)


def test_a_partial_abstract_fills_an_empty_one(store: Store) -> None:
    ingest(store, ScrapedPaper(TITLE, arxiv_id="2612.04011"))
    ingest(store, ScrapedPaper(TITLE, PARTIAL, arxiv_id="2612.04011", abstract_partial=True))
    assert (only(store).abstract, only(store).abstract_partial) == (PARTIAL, True)


def test_names_replace_a_count_and_abbreviations_never_replace_full_names(store: Store) -> None:
    ingest(store, ScrapedPaper(TITLE, authors=4))
    ingest(store, ScrapedPaper(TITLE.lower(), author_names=("A Quill", "B Osei")))  # Scholar
    assert (only(store).author_names, only(store).authors) == (("A Quill", "B Osei"), 4)
    ingest(store, ScrapedPaper(TITLE, author_names=("Ada Quill", "Bram Osei", "Chen Varga")))
    full = ("Ada Quill", "Bram Osei", "Chen Varga")
    assert (only(store).author_names, only(store).authors) == (full, 4)
    result = ingest(
        store, ScrapedPaper(TITLE.lower(), author_names=("A Quill", "B Osei", "C Varga"))
    )
    assert result.updated == 0
    assert only(store).author_names == full


def test_other_authors_never_replace_the_names(store: Store) -> None:
    ingest(store, ScrapedPaper(TITLE, author_names=("Ada Quill", "Bram Osei")))
    ingest(store, ScrapedPaper(TITLE, author_names=("Zed Ohm", "Yara Pell", "Xi Lum")))
    assert only(store).author_names == ("Ada Quill", "Bram Osei")


def test_a_lower_cased_title_never_replaces_a_cased_one(store: Store) -> None:
    ingest(store, ScrapedPaper(TITLE))
    ingest(store, ScrapedPaper(TITLE.lower()))
    assert only(store).title == TITLE


@pytest.mark.parametrize("flat", [TITLE.lower(), TITLE[0] + TITLE[1:].lower()])
def test_a_cased_title_replaces_a_lower_cased_one(store: Store, flat: str) -> None:
    """Scholar prints titles lower-cased, or with only the first letter capital."""
    ingest(store, ScrapedPaper(flat, author_names=("A Quill",)))
    ingest(store, ScrapedPaper(TITLE))
    assert only(store).title == TITLE
    ingest(store, ScrapedPaper(flat))
    assert only(store).title == TITLE


def test_categories_keep_the_primary_first_and_gain_others(store: Store) -> None:
    ingest(store, ScrapedPaper(TITLE, arxiv_id="2612.04011", categories=("cs.LG", "cs.AI")))
    ingest(store, ScrapedPaper(TITLE, arxiv_id="2612.04011", categories=("cs.CL", "cs.LG")))
    assert only(store).categories == ("cs.LG", "cs.AI", "cs.CL")


def test_user_state_is_never_touched(store: Store) -> None:
    (pid,) = ingest(store, ScrapedPaper(TITLE.lower(), PARTIAL, abstract_partial=True)).new_ids
    store.set_status([pid], Status.READ)
    store.set_starred([pid], True)
    store.save_note(pid, "keep this note")
    store.rename(pid, "My own title for it")
    result = ingest(
        store,
        ScrapedPaper(
            TITLE,
            ABSTRACT,
            arxiv_id="2612.04011v2",
            author_names=("Ada Quill",),
            categories=("cs.LG",),
            doi="10.5555/x",
            summary="A one-line summary.",
        ),
        ScrapedPaper("My own title for it", arxiv_id="2612.04011"),
    )
    assert result.merged == 1
    paper = only(store)
    assert (paper.status, paper.starred, paper.note) == (Status.READ, True, "keep this note")
    assert paper.title == "My own title for it"
    assert (paper.abstract, paper.arxiv_id, paper.doi) == (ABSTRACT, "2612.04011", "10.5555/x")


def test_the_cli_summary_reports_possible_duplicates(db_path: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from readq.cli import cli

    db_path.parent.mkdir(parents=True)
    with Store.open(db_path) as store:
        ingest(store, ScrapedPaper(TITLE, arxiv_id="2612.04011"))
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        "<id>http://arxiv.org/abs/2612.09999v1</id>"
        f"<title>{TITLE}</title><summary>{ABSTRACT}</summary></entry></feed>",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--db", str(db_path), "import", str(feed)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "feed.xml: 1 papers (atom): 1 new, 0 already known (0 updated); "
        "1 possible duplicates (same title, other arXiv id)\n"
    )
    assert result.stderr == (
        "readq: possible duplicate: #2 has the title of #1 but another arXiv id (kept apart)\n"
    )


def test_imports_match_by_id_through_the_same_rule(store: Store) -> None:
    """A BibTeX entry with an ``eprint`` under another title is the stored paper."""
    (pid,) = ingest(store, ScrapedPaper(TITLE, arxiv_id="2612.04011")).new_ids
    bib = (
        "@article{quill2026lantern,\n  title = {Lanterns, Revisited},\n"
        "  author = {Quill, Ada and Osei, Bram},\n  eprint = {2612.04011v2},\n"
        "  archivePrefix = {arXiv},\n  primaryClass = {cs.LG},\n  doi = {10.5555/X}\n}\n"
    )
    report = import_text(store, bib, name="refs.bib")
    assert (report.result.new, report.result.merged) == (0, 1)
    paper = store.get(pid)
    assert paper.author_names == ("Ada Quill", "Bram Osei")
    assert (paper.arxiv_version, paper.doi, paper.categories) == (2, "10.5555/x", ("cs.LG",))


def test_imports_keep_two_ids_apart_and_report_them(store: Store) -> None:
    ingest(store, ScrapedPaper(TITLE, arxiv_id="2612.04011"))
    bib = f"@misc{{a,\n  title = {{{TITLE}}},\n  eprint = {{2612.09999}}\n}}\n"
    report = import_text(store, bib, name="refs.bib")
    assert report.result.new == 1
    assert report.result.possible_duplicates == ((2, 1),)


CROSS_SOURCES = {
    "hf listing": ScrapedPaper(TITLE, ABSTRACT, authors=3, upvotes=14, published="2026-12-03"),
    "arxiv list page": ScrapedPaper(
        TITLE,
        ABSTRACT,
        arxiv_id="arXiv:2612.04011",
        author_names=("Ada Quill", "Bram Osei", "Chen Varga"),
        categories=("cs.LG", "cs.AI"),
        comments="12 pages",
    ),
    "abs page": ScrapedPaper(
        TITLE,
        ABSTRACT,
        arxiv_id="2612.04011",
        arxiv_version=2,
        author_names=("Ada Quill", "Bram Osei", "Chen Varga"),
        categories=("cs.LG", "cs.AI"),
        comments="14 pages",
        doi="10.48550/arXiv.2612.04011",
    ),
    "digest replacement": ScrapedPaper(
        TITLE,
        arxiv_id="2612.04011v3",
        author_names=("Ada Quill", "Bram Osei", "Chen Varga"),
        categories=("cs.LG",),
        comments="15 pages, v3 fixes a table",
    ),
    "scholar": ScrapedPaper(
        TITLE.lower(),
        PARTIAL,
        abstract_partial=True,
        arxiv_id="2612.04011",
        author_names=("A Quill", "B Osei"),
    ),
}


@pytest.mark.parametrize("order", [0, 17, 42, 64, 99, 119])
def test_one_paper_through_five_sources_in_any_order(store: Store, order: int) -> None:
    """The same paper from a Hugging Face listing, an arXiv list page, an abs page, a digest
    replacement and Scholar ends as one paper with the id, the highest version, full names,
    the full abstract and the cased title, whichever order the pastes came in."""
    from itertools import permutations

    names = list(permutations(CROSS_SOURCES))[order]
    for name in names:
        ingest(store, CROSS_SOURCES[name], name=name.replace(" ", "-"))
    paper = only(store)
    assert (paper.title, paper.abstract, paper.abstract_partial) == (TITLE, ABSTRACT, False)
    assert (paper.arxiv_id, paper.arxiv_version) == ("2612.04011", 3)
    assert (paper.author_names, paper.authors) == (("Ada Quill", "Bram Osei", "Chen Varga"), 3)
    assert paper.categories == ("cs.LG", "cs.AI")
    assert paper.comments == "15 pages, v3 fixes a table"
    assert (paper.upvotes, paper.published, paper.doi) == (
        14,
        "2026-12-03",
        "10.48550/arxiv.2612.04011",
    )
    assert len(paper.sources) == 5


def test_a_dates_text_is_only_taken_with_its_own_date(store: Store) -> None:
    """A page's "Sep 20" beside another page's 2026-12-02 would say a false date."""
    ingest(store, ScrapedPaper(TITLE, published="2026-12-02"))
    ingest(store, ScrapedPaper(TITLE, published="2024-09-20", published_text="Sep 20, 2024"))
    assert (only(store).published, only(store).published_text) == ("2026-12-02", None)
    ingest(store, ScrapedPaper(TITLE, published="2026-12-02", published_text="Dec 2, 2026"))
    assert only(store).published_text == "Dec 2, 2026"
