"""``readq export`` / ``readq import`` from the command line (CliRunner, tmp libraries)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from support.exportlib import build_library, snapshot

from readq.cli import cli
from readq.store import Store


def _library(tmp_path: Path) -> Path:
    db = tmp_path / "lib.db"
    with Store.open(db) as store:
        build_library(store)
    return db


def test_export_to_stdout_and_file(tmp_path: Path) -> None:
    db = _library(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db), "export", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["papers"]) == 4
    out = tmp_path / "lib.bib"
    result = runner.invoke(cli, ["--db", str(db), "export", "-f", "bibtex", "-o", str(out)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "exported 4 papers (bibtex)" in result.stderr
    assert out.read_text().count("@misc{") == 4


def test_export_filters(tmp_path: Path) -> None:
    db = _library(tmp_path)
    runner = CliRunner()

    def ids(*args: str) -> list[int]:
        result = runner.invoke(cli, ["--db", str(db), "export", "-f", "json", *args])
        assert result.exit_code == 0, result.output
        return [p["id"] for p in json.loads(result.stdout)["papers"]]

    assert ids("--status", "read") == [1]
    assert ids("--status", "new") == [3, 4]  # one ingest: the page's order
    assert sorted(ids("--starred")) == [1, 3]
    assert ids("--starred", "--status", "new") == [3]
    assert sorted(ids("--query", "quantum")) == [1, 4]
    assert ids("--query", "quantum", "--status", "read") == [1]
    assert ids("--query", "quantum", "--sort", "title") == [4, 1]


def test_export_errors(tmp_path: Path) -> None:
    db = _library(tmp_path)
    runner = CliRunner()
    bad_status = runner.invoke(cli, ["--db", str(db), "export", "-f", "csv", "--status", "x"])
    assert bad_status.exit_code == 2 and "unknown status" in bad_status.stderr
    bad_query = runner.invoke(cli, ["--db", str(db), "export", "-f", "csv", "-q", "zzz:1"])
    assert bad_query.exit_code == 2 and bad_query.stderr.startswith("readq: bad query")
    no_dir = runner.invoke(cli, ["--db", str(db), "export", "-f", "obsidian"])
    assert no_dir.exit_code == 2 and "-o DIR" in no_dir.stderr
    into_dir = runner.invoke(cli, ["--db", str(db), "export", "-f", "csv", "-o", str(tmp_path)])
    assert into_dir.exit_code == 1 and "is a directory" in into_dir.stderr
    missing = tmp_path / "no" / "such" / "dir" / "x.csv"
    nowhere = runner.invoke(cli, ["--db", str(db), "export", "-f", "csv", "-o", str(missing)])
    assert nowhere.exit_code == 1 and len(nowhere.stderr.splitlines()) == 1


def test_obsidian_from_the_cli(tmp_path: Path) -> None:
    db = _library(tmp_path)
    vault = tmp_path / "vault"
    result = CliRunner().invoke(
        cli, ["--db", str(db), "export", "-f", "obsidian", "-o", str(vault)]
    )
    assert result.exit_code == 0, result.output
    assert len(list(vault.glob("*.md"))) == 4


def test_backup_restore_cycle_through_the_cli(tmp_path: Path) -> None:
    db = _library(tmp_path)
    runner = CliRunner()
    backup = tmp_path / "backup.json"
    assert (
        runner.invoke(cli, ["--db", str(db), "export", "-f", "json", "-o", str(backup)]).exit_code
        == 0
    )
    restored = tmp_path / "restored.db"
    result = runner.invoke(cli, ["--db", str(restored), "import", str(backup)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "backup.json: restored 4 papers (json)\n"
    with Store.open(db) as a, Store.open(restored) as b:
        assert snapshot(a) == snapshot(b)
    again = runner.invoke(cli, ["--db", str(restored), "import", str(backup)])
    assert again.exit_code == 0
    assert "0 new, 4 already known (0 updated)" in again.stdout


def test_an_export_of_no_papers_writes_nothing_and_says_so(tmp_path: Path) -> None:
    """Issue 12 item 20: one line on stderr, exit 1, no file (nor directory, nor stdout)."""
    db = _library(tmp_path)
    runner = CliRunner()
    for fmt, target in [("csv", "none.csv"), ("obsidian", "vault"), ("json", "-")]:
        result = runner.invoke(
            cli,
            ["--db", str(db), "export", "-f", fmt, "-q", "zzqqxx-no-match", "-o", target],
        )
        assert result.exit_code == 1, result.output
        assert result.stdout == ""
        assert result.stderr == "readq: no papers to export: nothing written\n"
        assert not (tmp_path / target).exists()
