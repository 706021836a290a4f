"""BibTeX export: escaping, stable keys, and reading it back (bibtexparser and BibTeX)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.exportlib import TRICKY_TITLE, build_library
from support.identitylib import LANTERN, give_identity, paper

from readq.export import export_papers
from readq.export.bibtex import bibtex_name, citation_keys, escape_latex, format_entry
from readq.importers.bibtex import decode_latex, parse_bibtex
from readq.models import Paper, ScrapedPaper, Source, Status
from readq.store import Store

ESCAPING_CASES = [
    "Set {X} and }{ unbalanced",
    "100% of $5 & #1 a_b",
    "tilde ~ caret ^ backslash \\ at @ sign",
    "\"double\" and 'single' quotes",
    "line one\nline two",
    "ligatures -- --- ``x'' ?` !` << >> ,,",
    "emoji 🎉🚀 and CJK 中文标题 and Ελληνικά",
    "@misc{injected, title={x}}",
    "\\emph{not a macro} $x^2$",
]


@pytest.mark.parametrize("text", ESCAPING_CASES)
def test_escaped_text_decodes_back(text: str) -> None:
    escaped = escape_latex(text)
    assert decode_latex(escaped) == " ".join(text.split())
    assert escaped.count("{") == escaped.count("}")
    assert "\n" not in escaped


@pytest.mark.parametrize("text", ESCAPING_CASES)
def test_escaped_multiline_text_keeps_lines(text: str) -> None:
    escaped = escape_latex(text, keep_newlines=True)
    assert decode_latex(escaped) == text
    assert not any(line.lstrip().startswith("@") for line in escaped.split("\n"))


def _paper(pid: int, title: str, published: str | None = "2024-01-02") -> Paper:
    return Paper(
        id=pid,
        title=title,
        title_derived=False,
        abstract="",
        published=published,
        published_text=None,
        upvotes=None,
        authors=None,
        org=None,
        urls=(),
        status=Status.NEW,
        starred=False,
        note="",
        added_at="",
        updated_at="",
    )


def test_citation_keys_are_stable_and_unique() -> None:
    papers = [
        _paper(5, "The Diffusion of Tea"),
        _paper(2, "Diffusion Models"),
        _paper(9, "On Diffusion"),
        _paper(4, "中文标题", published=None),
        _paper(7, "Über Kettles"),
        _paper(8, "diffusion2024a", published=None),
    ]
    keys = citation_keys(papers)
    assert keys[2] == "diffusion2024"
    # Handed out in id order: paper 8, whose own base is "diffusion2024a", comes after paper 5
    # took that key, so it gets a suffix; paper 5 is not renamed because paper 8 exists.
    assert (keys[5], keys[8], keys[9]) == ("diffusion2024a", "diffusion2024aa", "diffusion2024b")
    assert len(set(keys.values())) == len(papers)
    assert keys[4] == "paper"
    assert keys[7] == "uber2024"
    assert citation_keys(list(reversed(papers))) == keys


def test_keys_do_not_depend_on_the_exported_subset(store: Store) -> None:
    store.ingest(
        [
            ScrapedPaper("Diffusion A", published="2024-01-01"),
            ScrapedPaper("Diffusion B", published="2024-01-01"),
        ],
        Source("s", "/s", "t"),
        "hf",
    )
    out = io.StringIO()
    export_papers(store, [2], "bibtex", out)
    assert out.getvalue().startswith("@misc{diffusion2024a,")


def test_library_export_parses_back_to_the_same_titles(store: Store) -> None:
    build_library(store)
    out = io.StringIO()
    export_papers(store, None, "bibtex", out)
    parsed = parse_bibtex(out.getvalue(), "out.bib")
    assert [r.paper.title for r in parsed.records] == [store.get(i).title for i in (1, 2, 3, 4)]
    by_title = {r.paper.title: r for r in parsed.records}
    assert TRICKY_TITLE in by_title
    teapot = by_title["Quantum Teapots for Biscuit Ranking"]
    assert teapot.note == "Edited elsewhere."
    assert teapot.status is Status.READ and teapot.starred
    assert teapot.paper.arxiv_id == "2403.00001"
    # An arXiv paper is cited by its abstract page (its other links are in the JSON backup).
    assert teapot.paper.urls == ("https://arxiv.org/abs/2403.00001",)


def test_plain_bibtexparser_reads_every_entry(store: Store) -> None:
    import bibtexparser

    build_library(store)
    out = io.StringIO()
    export_papers(store, None, "bibtex", out)
    library = bibtexparser.parse_string(out.getvalue())
    assert not library.failed_blocks
    assert len(library.entries) == 4


@pytest.mark.skipif(
    shutil.which("bibtex") is None, reason="bibtex (texlive-binaries) not installed"
)
def test_bibtex_itself_reads_the_export(store: Store, tmp_path: Path) -> None:
    build_library(store)
    export_papers(store, None, "bibtex", tmp_path / "lib.bib")
    (tmp_path / "doc.aux").write_text("\\citation{*}\n\\bibdata{lib}\n\\bibstyle{plain}\n")
    run = subprocess.run(
        ["bibtex", "doc"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "error" not in run.stdout.lower()
    assert "Warning" not in run.stdout
    bbl = (tmp_path / "doc.bbl").read_text()
    assert bbl.count("\\bibitem") == 4


_ALPHABET = st.characters(
    blacklist_categories=("Cc", "Cs"), max_codepoint=0x1FFFF
) | st.sampled_from(list("{}%&$#_~^\\@-`'?!<>,\" \n"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=60))
def test_any_text_survives_escaping(text: str) -> None:
    escaped = escape_latex(text, keep_newlines=True)
    assert decode_latex(escaped) == "\n".join(line.rstrip() for line in text.split("\n"))
    one_line = escape_latex(text)
    assert decode_latex(one_line) == " ".join(text.split())


# ------------------------------------------------------------------ identity (issue #14)
def _authored(pid: int, title: str, *names: str, published: str | None = "2026-12-02") -> Paper:
    return paper(pid, title, author_names=names, published=published)


def test_key_is_first_author_year_and_first_significant_title_word() -> None:
    papers = [
        _authored(1, "The Lantern Method for Sparse Routing", "Ada Quill", "Bram Osei"),
        _authored(2, "Über Kettles", "José Núñez-Østby"),
        _authored(3, "On Tidal Gardens", "Jan van der Berg"),
        _authored(4, "Strauß Networks", "Lena Strauß"),
        _authored(5, "Gardens Without Authors"),
        _authored(6, "Crumbs", "Chen Varga", published=None),
        _authored(7, "A Lantern Again", "et al."),
        _authored(8, "Quiet Lanterns", "李华"),
        _authored(9, "Bram's Guide", "Bram Osei Jr."),
    ]
    keys = citation_keys(papers)
    assert keys == {
        1: "quill2026lantern",
        2: "nunezostby2026uber",
        3: "vanderberg2026tidal",
        4: "strauss2026strau",  # family names fold ß to ss; title words fold as they always did
        5: "gardens2026",  # no author names: the key readq gave before, title word then year
        6: "varga" + "crumbs",
        7: "lantern2026",
        8: "quiet2026",  # a family name with no ASCII letters: no author part
        9: "osei2026bram",
    }


def test_same_base_gets_suffixes_in_id_order() -> None:
    papers = [_authored(i, "Lantern Routing, part one", "Ada Quill") for i in (4, 1, 9, 3)]
    keys = citation_keys(papers)
    assert [keys[i] for i in (1, 3, 4, 9)] == [
        "quill2026lantern",
        "quill2026lanterna",
        "quill2026lanternb",
        "quill2026lanternc",
    ]


def test_adding_a_paper_whose_base_is_an_existing_suffixed_key_renames_nothing() -> None:
    before = [
        _authored(1, "Lantern Routing", "Ada Quill"),
        _authored(2, "Lantern Pruning", "Ada Quill"),
    ]
    keys = citation_keys(before)
    assert keys == {1: "quill2026lantern", 2: "quill2026lanterna"}
    after = [*before, _authored(3, "Lanterna: a Tuscan Lamp", "Ada Quill")]
    grown = citation_keys(after)
    assert {i: grown[i] for i in keys} == keys
    assert grown[3] == "quill2026lanternaa"


_TITLES = st.sampled_from(["Lantern", "Lanterna", "Lantern Routing", "Gardens", "A", "Lanternb"])
_NAMES = st.sampled_from([(), ("Ada Quill",), ("Bram Osei", "Ada Quill"), ("Adam Quill",)])
_DATES = st.sampled_from(["2026-12-02", "2025-01-01", None])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_TITLES, _NAMES, _DATES), min_size=1, max_size=14), st.data())
def test_keys_are_unique_and_adding_papers_never_renames_earlier_ones(
    rows: list[tuple[str, tuple[str, ...], str | None]], data: st.DataObject
) -> None:
    papers = [
        paper(i + 1, title, author_names=names, published=date)
        for i, (title, names, date) in enumerate(rows)
    ]
    keys = citation_keys(papers)
    assert len(set(keys.values())) == len(papers)
    assert all(re.fullmatch(r"[a-z0-9]+", key) for key in keys.values())
    cut = data.draw(st.integers(0, len(papers)))
    earlier = citation_keys(papers[:cut])
    assert {i: keys[i] for i in earlier} == earlier


def test_entry_is_citable_and_the_note_is_an_annote() -> None:
    lantern = paper(
        1,
        "Lantern: Sparse Routing for 100% of Tokens",
        **{**LANTERN, "author_names": ("Ada Quill", "Bram Osei", "Jan van der Berg")},
        note="Private: the proof in §3 looks wrong.",
        urls=("https://github.com/example/lantern",),
    )
    entry = format_entry(lantern, "quill2026lantern")
    library = bibtexparser.parse_string(entry)
    assert not library.failed_blocks
    (parsed,) = library.entries
    fields = {f.key: f.value for f in parsed.fields}
    assert parsed.key == "quill2026lantern" and parsed.entry_type == "misc"
    assert fields["author"] == "Quill, Ada and Osei, Bram and van der Berg, Jan"
    assert fields["year"] == "2026" and fields["month"] == "dec"
    assert fields["eprint"] == "2612.04011"
    assert fields["archivePrefix"] == "arXiv"
    assert fields["primaryClass"] == "cs.LG"
    assert fields["doi"] == "10.5555/lantern.2026.7"
    assert fields["url"] == "https://arxiv.org/abs/2612.04011"
    assert fields["annote"] == "Private: the proof in §3 looks wrong."
    assert "note" not in {key.lower() for key in fields}
    assert decode_latex(fields["title"].strip("{}")) == lantern.title


def test_a_paper_without_an_id_keeps_its_first_link_and_no_eprint() -> None:
    entry = format_entry(
        paper(1, "Gardens", author_names=("Ada Quill",), urls=("https://example.org/g",)),
        "quill2026gardens",
    )
    fields = {f.key: f.value for f in bibtexparser.parse_string(entry).entries[0].fields}
    assert fields["url"] == "https://example.org/g"
    assert not {"eprint", "archivePrefix", "primaryClass", "doi"} & set(fields)


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("Ada Quill", "Quill, Ada"),
        ("Jan van der Berg", "van der Berg, Jan"),
        ("Bram Osei Jr.", "Osei, Jr., Bram"),
        ("Bram Osei, Jr.", "Osei, Jr., Bram"),
        ("Quill, Ada", "Quill, Ada"),
        ("Plato", "Plato"),
        ("et al.", "others"),
        ("Ben and Jerry", "{Ben and Jerry}"),
        ("Ana {Ru}iz", "\\{Ru\\}iz, Ana"),
        ("A. 100% Quill", "Quill, A. 100\\%"),
        ("Eve \x1b]52;c;ZXZpbA==\x07Evil\u202e", "Evil, Eve"),
        ("\x1b[2J", ""),
    ],
)
def test_author_names_in_bibtex_order(name: str, written: str) -> None:
    assert bibtex_name(name) == written


def test_library_keys_use_the_stored_authors(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.ingest(
        [
            ScrapedPaper("Lantern Routing", published="2026-12-02"),
            ScrapedPaper("Lantern Pruning", published="2026-12-02"),
        ],
        Source("s", "/s", "t"),
        "hf",
    )
    give_identity(monkeypatch, {1: {"author_names": ("Ada Quill",)}, 2: LANTERN})
    out = io.StringIO()
    export_papers(store, [2], "bibtex", out)  # paper 1 holds the bare key even when not exported
    assert out.getvalue().startswith("@misc{quill2026lanterna,")
    assert "author = {Quill, Ada and Osei, Bram and Varga, Chen}" in out.getvalue()


@pytest.mark.skipif(
    shutil.which("bibtex") is None or shutil.which("kpsewhich") is None,
    reason="bibtex (texlive-binaries, texlive-base) not installed",
)
def test_bibtex_prints_the_authors_and_never_the_private_note(tmp_path: Path) -> None:
    if not subprocess.run(["kpsewhich", "plain.bst"], capture_output=True, text=True).stdout:
        pytest.skip("plain.bst (texlive-base) not installed")
    papers = [
        paper(1, "Lantern Routing", **LANTERN, note="SECRET-NOTE do not print"),
        paper(2, "Gardens", author_names=("Jan van der Berg", "Lena Strauß")),
        paper(3, "Crumbs"),
    ]
    keys = citation_keys(papers)
    (tmp_path / "lib.bib").write_text("\n".join(format_entry(p, keys[p.id]) for p in papers))
    (tmp_path / "doc.aux").write_text("\\citation{*}\n\\bibdata{lib}\n\\bibstyle{plain}\n")
    run = subprocess.run(
        ["bibtex", "doc"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout and "error" not in run.stdout.lower()
    bbl = " ".join((tmp_path / "doc.bbl").read_text().split())
    assert bbl.count("\\bibitem") == 3
    assert "Ada Quill, Bram Osei, and Chen Varga" in bbl
    assert "Jan van~der Berg and Lena Strauß" in bbl
    assert "\\bibitem{quill2026lantern}" in bbl
    assert "SECRET-NOTE" not in bbl
