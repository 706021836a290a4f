"""Markdown reading list and Obsidian vault: grouping, notes, front matter, safe names."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from support.exportlib import TRICKY_TITLE, build_library
from support.identitylib import LANTERN, give_identity

from readq.export import export_papers
from readq.export.markdown import (
    NAME_LIMIT_BYTES,
    SECTION_BEGIN,
    SECTION_END,
    safe_file_stem,
    write_obsidian,
)
from readq.models import Paper, Status
from readq.store import Store


def test_reading_list_is_grouped_by_status_with_notes(store: Store) -> None:
    build_library(store)
    out = io.StringIO()
    assert export_papers(store, None, "markdown", out).papers == 4
    text = out.getvalue()
    assert text.index("## To read (1)") < text.index("## New (2)") < text.index("## Read (1)")
    assert (
        "- [x] **Quantum Teapots for Biscuit Ranking** (2024) ★ — <https://example.org/teapot>"
        in text
    )
    assert "   > Edited elsewhere." in text
    assert "\\{x\\}" in text and "\\$5" in text  # Markdown syntax is escaped


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("../../etc/passwd", "etc passwd"),
        ("..hidden", "hidden"),
        ('a/b\\c:d*e?f"g<h>i|j', "a b c d e f g h i j"),
        ("CON", "paper-1 CON"),
        ("nul.txt", "paper-1 nul.txt"),
        ("", "paper-1"),
        ("...", "paper-1"),
        ("tab\tand\x1b[31mescape", "tab andescape"),
        ("#tag ^block [link]", "tag block link"),
    ],
)
def test_safe_file_stems(title: str, expected: str) -> None:
    assert safe_file_stem(title, "paper-1") == expected


def test_long_and_multibyte_names_are_cut_on_a_character() -> None:
    stem = safe_file_stem("中" * 200, "x")
    assert len(stem.encode()) <= NAME_LIMIT_BYTES
    assert stem == "中" * (NAME_LIMIT_BYTES // 3)


def _paper(pid: int, title: str) -> Paper:
    return Paper(
        pid, title, False, "", None, None, None, None, None, (), Status.NEW, False, "", "", ""
    )


class _Papers:
    """Just what the vault writer reads of a store: papers by id."""

    def __init__(self, papers: list[Paper]) -> None:
        self.papers = {p.id: p for p in papers}

    def get_many(self, ids: list[int], **_kwargs: object) -> list[Paper]:
        return [self.papers[i] for i in ids]


def test_names_are_unique_case_insensitively(tmp_path: Path) -> None:
    papers = [_paper(1, "Same"), _paper(2, "same"), _paper(3, "Same (2)"), _paper(4, "SAME")]
    vault = tmp_path / "vault"
    write_obsidian(_Papers(papers), [1, 2, 3, 4], vault)  # type: ignore[arg-type]
    names = sorted(p.name for p in vault.iterdir())
    assert names == ["SAME (4).md", "Same (2) (3).md", "Same.md", "same (2).md"]


def test_obsidian_vault_has_front_matter_and_note_body(store: Store, tmp_path: Path) -> None:
    build_library(store)
    vault = tmp_path / "vault"
    assert export_papers(store, None, "obsidian", vault).papers == 4
    files = sorted(p.name for p in vault.iterdir())
    assert len(files) == 4
    assert all(not name.startswith(".") and "/" not in name for name in files)
    teapot = (vault / "Quantum Teapots for Biscuit Ranking.md").read_text()
    head, body = teapot.split("---\n")[1:3]
    assert 'title: "Quantum Teapots for Biscuit Ranking"' in head
    assert 'status: "read"' in head and "starred: true" in head
    assert 'date: "2024-03-05"' in head
    assert '  - "https://example.org/teapot"' in head
    assert body.strip().splitlines() == [SECTION_BEGIN, "Edited elsewhere.", SECTION_END]
    tricky = next(p for p in vault.iterdir() if p.name.startswith("Braces"))
    title_line = next(x for x in tricky.read_text().splitlines() if x.startswith("title: "))
    assert json.loads(title_line.removeprefix("title: ")) == TRICKY_TITLE


def test_obsidian_never_writes_through_or_over_a_symlink(store: Store, tmp_path: Path) -> None:
    """A symlink at a paper's name is the user's: neither it nor its target is written; the
    paper gets another name."""
    build_library(store)
    vault = tmp_path / "vault"
    vault.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (vault / "Quantum Kettles.md").symlink_to(victim)
    export_papers(store, None, "obsidian", vault)
    assert victim.read_text() == "keep me"
    assert (vault / "Quantum Kettles.md").is_symlink()
    assert "readq_id: 4" in (vault / "Quantum Kettles (4).md").read_text()


def test_obsidian_needs_a_directory(store: Store) -> None:
    with pytest.raises(ValueError, match="directory"):
        export_papers(store, None, "obsidian", None)


# ------------------------------------------------------------------ identity (issue #14)
def test_reading_list_shows_authors_ids_and_citation_facts(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_library(store)
    give_identity(monkeypatch, {4: {**LANTERN, "author_names": ("Ada *Quill*", "Bram Osei")}})
    out = io.StringIO()
    export_papers(store, [4, 3], "markdown", out)
    text = out.getvalue()
    item = text[text.index("**Quantum Kettles**") :].split("\n")
    assert item[1:6] == [
        "  - Ada \\*Quill\\*, Bram Osei",
        "  - [arXiv:2612.04011v2](https://arxiv.org/abs/2612.04011) · cs.LG cs.AI"
        " · DOI <https://doi.org/10.5555/lantern.2026.7>",
        "  - Journal ref: Proc. Fictional Conf. on Lanterns 2026",
        "  - Comments: 12 pages, 4 figures; code at this https URL",
        "- [ ] **Crumbs: a derived title** ★",
    ]
    crumbs = text[text.index("**Crumbs") :].split("\n")
    assert not crumbs[1].startswith("  - ")  # nothing to say: no empty sub-items


def test_obsidian_front_matter_is_yaml_with_the_identity(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    build_library(store)
    hostile = 'Ada "Q" Quill\x85\x9b[31m: - {x} # not a comment'
    give_identity(
        monkeypatch,
        {4: {**LANTERN, "author_names": (hostile, "Bram Osei"), "comments": "a: b\n- c"}},
    )
    vault = tmp_path / "vault"
    export_papers(store, [4, 3], "obsidian", vault)
    front = yaml.safe_load((vault / "Quantum Kettles.md").read_text().split("---\n")[1])
    assert front["authors"] == [hostile, "Bram Osei"]
    assert front["arxiv"] == "2612.04011" and front["arxiv_version"] == 2
    assert front["categories"] == ["cs.LG", "cs.AI"]
    assert front["doi"] == "10.5555/lantern.2026.7"
    assert front["journal_ref"] == "Proc. Fictional Conf. on Lanterns 2026"
    assert front["comments"] == "a: b\n- c"
    assert front["title"] == "Quantum Kettles"
    plain = yaml.safe_load((vault / "Crumbs a derived title.md").read_text().split("---\n")[1])
    assert not {"authors", "arxiv_version", "categories", "doi"} & set(plain)
