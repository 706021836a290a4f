"""The CLI through click's CliRunner: output, JSON shape, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from readq.cli import cli


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    db = tmp_path / "cli" / "readq.db"
    db.parent.mkdir()

    def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli, ["--db", str(db), *args], input=input)

    return invoke


@pytest.fixture
def loaded(run):  # type: ignore[no-untyped-def]
    result = run("ingest", str(FIXTURES / "hf_daily.txt"), str(FIXTURES / "arxiv_dump.txt"))
    assert result.exit_code == 0, result.output
    return run


def test_ingest_summary_per_file(run) -> None:  # type: ignore[no-untyped-def]
    result = run("ingest", str(FIXTURES / "hf_daily.txt"), str(FIXTURES / "arxiv_dump.txt"))
    assert result.exit_code == 0
    assert "hf_daily.txt: 5 papers (hf): 5 new" in result.output
    assert "arxiv_dump.txt: 3 papers (arxiv): 3 new" in result.output
    again = run("ingest", str(FIXTURES / "hf_daily.txt"))
    assert "0 new, 5 already known (0 updated)" in again.output


def test_ingest_stdin(run) -> None:  # type: ignore[no-untyped-def]
    result = run("ingest", "-", input=(FIXTURES / "arxiv_dump.txt").read_text())
    assert result.exit_code == 0 and "3 new" in result.output


def test_bad_path_is_one_line_exit_1_and_others_ingest(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("ingest", str(tmp_path / "nope.txt"), str(FIXTURES / "hf_daily.txt"))
    assert result.exit_code == 1
    assert "nope.txt: no such file" in result.output
    assert "Traceback" not in result.output
    assert "5 new" in result.output


def test_list_json_shape(loaded) -> None:  # type: ignore[no-untyped-def]
    result = loaded("list", "--json")
    papers = json.loads(result.output)
    assert len(papers) == 8
    keys = {
        "id", "title", "title_derived", "abstract", "status", "starred", "published", "upvotes",
        "authors", "org", "urls", "sources", "note", "added_at", "updated_at",
    }  # fmt: skip
    assert keys <= set(papers[0])
    by_title = {p["title"]: p for p in papers}
    quiet = by_title["Quiet Diffusion: Denoising Without the Noise Schedule"]
    assert quiet["org"] == "Northwind AI" and quiet["upvotes"] == 3
    assert quiet["sources"] == ["hf_daily.txt"] and quiet["status"] == "new"
    assert isinstance(quiet["id"], int) and quiet["starred"] is False and quiet["note"] == ""


def test_list_filters_and_sorts(loaded) -> None:  # type: ignore[no-untyped-def]
    loaded("mark", "read", "1", "2")
    loaded("star", "2")
    read = json.loads(loaded("list", "--status", "read", "--json").output)
    assert sorted(p["id"] for p in read) == [1, 2]
    starred = json.loads(loaded("list", "--starred", "--json").output)
    assert [p["id"] for p in starred] == [2]
    top = json.loads(loaded("list", "--sort", "upvotes", "--limit", "1", "--json").output)
    assert top[0]["upvotes"] == 6
    table = loaded("list", "--limit", "3").output
    assert len(table.strip().splitlines()) == 1 + 3  # the header, then the papers


def test_show_and_rename(loaded) -> None:  # type: ignore[no-untyped-def]
    derived = [p for p in json.loads(loaded("list", "--json").output) if p["title_derived"]]
    pid = str(derived[0]["id"])
    assert loaded("rename", pid, "My Own Title").exit_code == 0
    shown = json.loads(loaded("show", pid, "--json").output)
    assert shown["title"] == "My Own Title" and shown["title_derived"] is False
    assert "My Own Title" in loaded("show", pid).output


def test_notes(loaded, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert loaded("note", "1", "--set", "first").exit_code == 0
    assert loaded("note", "1", "--append", "second").exit_code == 0
    assert loaded("note", "1").output == "first\n\nsecond\n"
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "edited by script" > "$1"\n')
    editor.chmod(0o755)
    monkeypatch.setenv("VISUAL", str(editor))
    assert loaded("note", "1", "--edit").exit_code == 0
    assert loaded("note", "1").output.strip() == "edited by script"
    history = loaded("note", "1", "--history").output
    assert len(history.strip().splitlines()) == 3


def test_stats_and_locate(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    loaded("mark", "to-read", "3")
    loaded("star", "3", "4")
    loaded("note", "4", "--set", "n")
    stats = json.loads(loaded("stats", "--json").output)
    assert stats == {
        "total": 8, "new": 7, "to-read": 1, "read": 0, "starred": 2, "with_notes": 1,
        "queue": 1, "views": [],
        "tags": {},
    }  # fmt: skip
    assert str(tmp_path / "cli" / "readq.db") in loaded("locate").output


@pytest.mark.parametrize(
    "args",
    [("mark", "done", "1"), ("mark", "read", "999"), ("star", "999"), ("show", "999"),
     ("note", "999"), ("rename", "999", "x"), ("list", "--status", "later")],
)  # fmt: skip
def test_user_errors_exit_2_with_one_line(loaded, args) -> None:  # type: ignore[no-untyped-def]
    result = loaded(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_readq_db_env_and_data_dir_creation(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "deep" / "er" / "lib.db"
    monkeypatch.setenv("READQ_DB", str(target))
    result = CliRunner().invoke(cli, ["stats"])
    assert result.exit_code == 0 and target.exists()


def test_default_location_is_created_silently(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("READQ_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "deep" / "er"))
    result = CliRunner().invoke(cli, ["stats"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert (tmp_path / "deep" / "er" / "readq" / "readq.db").exists()


def test_uncreatable_data_dir_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.delenv("READQ_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker / "sub"))
    result = CliRunner().invoke(cli, ["stats"])
    assert result.exit_code == 1
    assert "cannot create data directory" in result.output
    assert "Traceback" not in result.output


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and "readq" in result.output


def test_show_prints_the_papers_identity(run) -> None:  # type: ignore[no-untyped-def]
    """An arXiv page gives names, id with version, categories, comments: `show` says them."""
    result = run("ingest", str(FIXTURES / "arxiv_abs.txt"))
    assert result.exit_code == 0, result.output
    shown = run("show", "1").output
    assert "authors: Ada Quill, Bram Osei, Chen Varga, Dara Lindqvist, Emeka Tan" in shown
    assert "arXiv: 2612.04011v2  [cs.LG, cs.AI]" in shown
    assert "comments: 12 pages, 4 figures" in shown
    assert "journal: Proceedings of the Fictional Conference on Small Models 2026" in shown


def test_list_keeps_the_page_order_and_reverses(loaded) -> None:  # type: ignore[no-untyped-def]
    """The last ingest (the arXiv dump) comes first, each file in its page's order; --reverse
    is the exact reverse; --sort read lists the latest read first."""
    ids = [p["id"] for p in json.loads(loaded("list", "--json").output)]
    assert ids == [6, 7, 8, 1, 2, 3, 4, 5]
    back = [p["id"] for p in json.loads(loaded("list", "--reverse", "--json").output)]
    assert back == ids[::-1]
    loaded("mark", "read", "3")
    loaded("mark", "read", "7")
    read = json.loads(loaded("list", "--sort", "read", "--status", "read", "--json").output)
    assert [p["id"] for p in read] == [7, 3]
    assert read[0]["read_at"] >= read[1]["read_at"]
    recent = json.loads(loaded("list", "-q", "read:1d", "--json").output)
    assert sorted(p["id"] for p in recent) == [3, 7]


def test_list_prints_a_header_and_the_tui_symbols(loaded) -> None:  # type: ignore[no-untyped-def]
    from readq.models import STATUS_GLYPHS
    from readq.tui.widgets.paper_list import STATUS_GLYPH

    assert STATUS_GLYPHS == STATUS_GLYPH  # one set of symbols on both surfaces
    loaded("mark", "to-read", "1")
    loaded("mark", "read", "2")
    loaded("star", "2")
    lines = loaded("list").output.splitlines()
    assert lines[0].split() == ["ID", "S★✎", "PUBLISHED", "VOTES", "TITLE"]
    rows = {int(line.split()[0]): line.split()[1] for line in lines[1:]}
    assert (rows[1], rows[2], rows[3]) == ("»", "✓★", "•")


def test_show_says_where_and_when_without_microseconds(loaded) -> None:  # type: ignore[no-untyped-def]
    import re

    loaded("mark", "read", "1")
    shown = loaded("show", "1").output
    assert "from: Hugging Face daily papers, " in shown
    assert "files: " in shown and "hf_daily.txt" in shown
    (times,) = [line for line in shown.splitlines() if line.startswith("added: ")]
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d"
    assert re.fullmatch(f"added: {stamp}   changed: {stamp}   read: {stamp}", times), times


def test_locate_prints_every_path_of_the_readme(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = loaded("locate").output
    db = tmp_path / "cli" / "readq.db"
    for path in (
        db,
        db.parent / "backups",
        db.parent / "readq.log",
        db.with_name("readq.db.lock"),
        db.with_name("readq.db.holders"),
        db.with_name("readq.db.search-cache"),
        db.parent / "drafts",
        "config.json",
    ):
        assert str(path) in out, path
