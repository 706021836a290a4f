"""BibTeX export: escaping, stable keys, and reading it back (bibtexparser and BibTeX)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from exportlib import TRICKY_TITLE, build_library
from hypothesis import given, settings
from hypothesis import strategies as st

from readq.export import export_papers
from readq.export.bibtex import citation_keys, escape_latex
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
    assert (keys[5], keys[9], keys[8]) == ("diffusion2024b", "diffusion2024c", "diffusion2024a")
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
    assert "https://example.org/teapot" in teapot.paper.urls


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
