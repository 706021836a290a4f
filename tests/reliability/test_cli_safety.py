"""Issue 12, the command line's side: what readq prints, the arguments it takes, and the
library it opens.

* 12.9: file names holding escape sequences are printed cleaned on every line (ingest, import,
  export -o, backup, restore, locate, warnings);
* 12.11: an export to a terminal never carries the notes' escapes to it (files and pipes keep
  them);
* 12.12: out-of-range integers are one line and exit 2;
* 12.13: standard input closed is one line and exit 1;
* 12.15: file names and arguments that are not UTF-8;
* 12.16: a mistyped ``--db`` does not start a library.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from relutil import REPO, child_env, query, run_readq, sha256, write_listing
from support.ptyutil import READQ, PtyProcess, tui_env

from readq.cli import cli

HOSTILE = "\x1b]0;PWNED\x07\x1b[2J\x1b]52;c;cHduZWQ=\x07\x9b31m\u202e\x85"
"""OSC 0 (window title), CSI 2J (clear screen), OSC 52 (clipboard), 8-bit CSI, bidi, NEL."""

TERMINAL_ACTS_ON = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""What must never reach a terminal from data (tab, newline, CR are readq's own)."""


def _assert_clean(text: str, what: object) -> None:
    found = TERMINAL_ACTS_ON.search(text)
    assert found is None, (what, repr(text[max(0, found.start() - 40) : found.end() + 40]))


# ------------------------------------------------------------------------------- 12.9
def test_case12_9_file_names_are_cleaned_on_every_line(tmp_path: Path) -> None:
    home = tmp_path / f"dir{HOSTILE}"
    home.mkdir()
    listing = write_listing(home / f"esc{HOSTILE}name.txt", "esc", 3)
    # A Windows-1252 byte makes ingest warn, naming the file.
    latin = home / f"latin{HOSTILE}.txt"
    latin.write_bytes(
        b"Abstract:We study caf\xe9 problems and report that a method improves the baseline "
        b"by four points on a made-up benchmark of caf\xe9 menus.\n"
    )
    db = home / "readq.db"
    base = ["--db", str(db)]
    runs = [
        ["ingest", str(listing), str(latin)],
        ["ingest", str(home / f"missing{HOSTILE}.txt")],
        ["export", "-f", "json", "-o", str(home / f"out{HOSTILE}.json")],
        ["import", str(home / f"out{HOSTILE}.json")],
        ["backup", str(home / f"copy{HOSTILE}.db")],
        ["backup", str(home / f"copy{HOSTILE}.db")],  # already exists: an error line
        ["restore", str(home / f"copy{HOSTILE}.db")],
        ["locate"],
        ["list"],
    ]
    seen = ""
    for args in runs:
        result = run_readq([*base, *args])
        _assert_clean(result.stdout, args)
        _assert_clean(result.stderr, args)
        assert "Traceback" not in result.stderr, (args, result.stderr)
        seen += result.stdout + result.stderr
    # The names are still recognisable (the escapes are gone, the rest is there).
    assert "escname.txt: 3 papers (arxiv): 3 new" in seen
    assert "warning: latin" in seen and "Windows-1252" in seen
    assert "missing" in seen and "no such file" in seen
    assert "exported 4 papers (json) to " in seen and "restored 4 papers from" in seen
    assert "backed up 4 papers to" in seen and "already exists" in seen
    assert "library: " in seen


# ------------------------------------------------------------------------------ 12.11
def _library_with_hostile_notes(db: Path) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    listing = write_listing(db.parent / "a.txt", "hostile", 2)
    assert run_readq(["--db", str(db), "ingest", str(listing)]).returncode == 0
    # Written straight into the file, as an older readq or another tool could have.
    conn = sqlite3.connect(str(db))
    with conn:
        conn.execute("UPDATE papers SET note = ?, title = title || ?", (f"n{HOSTILE}e", HOSTILE))
    conn.close()


def _on_terminal(argv: list[str]) -> str:
    with PtyProcess(argv, env=tui_env()) as proc:
        assert proc.wait(timeout=60) == 0, proc.output[-2000:]
        return proc.output.decode("utf-8", "surrogateescape")


@pytest.mark.parametrize("fmt", ["csv", "bibtex", "markdown", "json"])
def test_case12_11_export_to_a_terminal_is_cleaned(tmp_path: Path, fmt: str) -> None:
    db = tmp_path / "lib" / "readq.db"
    _library_with_hostile_notes(db)
    shown = _on_terminal([*READQ, "--db", str(db), "export", "-f", fmt])
    _assert_clean(shown.replace("\r", ""), fmt)
    assert "PWNED" not in shown or fmt == "json"
    # A pipe (or a file) keeps the text verbatim.
    piped = run_readq(["--db", str(db), "export", "-f", fmt])
    assert piped.returncode == 0
    if fmt == "json":
        # On the terminal the same JSON value, its controls written as \u escapes.
        data = json.loads(shown.replace("\r\n", "\n"))
        assert data["papers"] == json.loads(piped.stdout)["papers"]
        assert {p["note"] for p in data["papers"]} == {f"n{HOSTILE}e"}
    elif fmt != "markdown":  # (markdown cleans its text itself, for every target)
        assert HOSTILE in piped.stdout


def test_case12_11_list_and_show_json_on_a_terminal(tmp_path: Path) -> None:
    db = tmp_path / "lib" / "readq.db"
    _library_with_hostile_notes(db)
    for args in (["list", "--json"], ["show", "1", "--json"], ["show", "1"], ["note", "1"]):
        shown = _on_terminal([*READQ, "--db", str(db), *args])
        _assert_clean(shown.replace("\r", ""), args)
    shown = _on_terminal([*READQ, "--db", str(db), "show", "1", "--json"])
    assert json.loads(shown.replace("\r\n", "\n"))["note"] == f"n{HOSTILE}e"


# ------------------------------------------------------------------------------ 12.12
HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "args",
    [
        ["show", HUGE],
        ["mark", "read", "1", HUGE],
        ["star", HUGE],
        ["unstar", HUGE],
        ["rename", HUGE, "t"],
        ["note", HUGE],
        ["note", HUGE, "--set", "x"],
        ["list", "--limit", HUGE],
        ["list", "--limit", "9" * 5000],
        ["ingest", "--year", HUGE, "x.txt"],
        ["ingest", "--year", "12", "x.txt"],
        ["show", "0"],
        ["show", "１２"],  # full-width digits: int() takes them, SQLite would not find them
        ["star", "1_000"],
    ],
)
def test_case12_12_out_of_range_integers_are_one_line_exit_2(
    tmp_path: Path, args: list[str]
) -> None:
    db = tmp_path / "lib" / "readq.db"
    db.parent.mkdir()
    listing = write_listing(db.parent / "a", "a", 2)
    CliRunner().invoke(cli, ["--db", str(db), "ingest", str(listing)])
    before = sha256(db)
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("readq: "), result.stderr
    assert "range" in lines[0] or "whole number" in lines[0]
    assert sha256(db) == before


def test_case12_12_in_range_still_works(tmp_path: Path) -> None:
    db = tmp_path / "lib" / "readq.db"
    db.parent.mkdir()
    runner = CliRunner()
    listing = write_listing(db.parent / "a", "a", 3)
    ingest = runner.invoke(cli, ["--db", str(db), "ingest", "--year", "2024", str(listing)])
    assert ingest.exit_code == 0
    assert runner.invoke(cli, ["--db", str(db), "star", "+2", "03"]).exit_code == 0
    assert query(db, "SELECT id FROM papers WHERE starred") == [(2,), (3,)]
    result = runner.invoke(cli, ["--db", str(db), "list", "--limit", str(2**63 - 1)])
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 1 + 3  # header + rows
    missing = runner.invoke(cli, ["--db", str(db), "show", str(2**63 - 1)])
    assert missing.exit_code == 2 and "no paper with id" in missing.stderr


# ------------------------------------------------------------------------------ 12.13
@pytest.mark.parametrize("command", ["ingest", "import"])
def test_case12_13_closed_stdin_is_one_line(tmp_path: Path, command: str) -> None:
    good = write_listing(tmp_path / "good.txt", "good", 4)
    args = [command, "-"] if command == "import" else [command, "-", str(good)]
    result = subprocess.run(
        [*READQ, *args],
        preexec_fn=lambda: os.close(0),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=child_env(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert lines == ["readq: <stdin>: standard input is closed"], result.stderr
    if command == "ingest":  # the other file is still ingested
        assert "good.txt: 4 papers (arxiv): 4 new" in result.stdout


# ------------------------------------------------------------------------------ 12.15
def test_case12_15_file_names_that_are_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "bad\udcff\udcfe.txt"  # the bytes 0xff 0xfe in the name
    write_listing(bad, "bad", 3)
    good = write_listing(tmp_path / "good.txt", "good", 2)
    result = run_readq(["ingest", str(bad), str(good)])
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "bad\\xff\\xfe.txt: 3 papers (arxiv): 3 new",
        "good.txt: 2 papers (arxiv): 2 new",
    ]
    db = Path(os.environ["READQ_DB"])
    names = sorted(str(r[0]) for r in query(db, "SELECT DISTINCT name FROM paper_sources"))
    assert names == ["bad\\xff\\xfe.txt", "good.txt"]
    paths = query(db, "SELECT path FROM ingests ORDER BY id")
    assert str(paths[0][0]).endswith("/bad\\xff\\xfe.txt")
    # Re-ingesting under the same name merges (the stored name is stable).
    again = run_readq(["ingest", str(bad)])
    assert again.stdout.strip() == (
        "bad\\xff\\xfe.txt: 3 papers (arxiv): 0 new, 3 already known (0 updated)"
    )
    # A name that is not UTF-8 in an error and in export -o.
    missing = run_readq(["ingest", str(tmp_path / "gone\udcff.txt")])
    assert missing.returncode == 1
    assert missing.stderr.strip().endswith("gone\\xff.txt: no such file")
    out = tmp_path / "out\udcff.json"
    exported = run_readq(["export", "-f", "json", "-o", str(out)])
    assert exported.returncode == 0 and exported.stderr.strip().endswith("out\\xff.json")
    assert out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--query", "bad \udcff"],
        ["export", "-f", "csv", "--query", "x\udcff"],
        ["rename", "1", "title \udcff"],
        ["note", "1", "--set", "note \udcff"],
        ["note", "1", "--append", "\udcffnote"],
    ],
)
def test_case12_15_arguments_that_are_not_utf8(tmp_path: Path, args: list[str]) -> None:
    assert run_readq(["ingest", str(write_listing(tmp_path / "a.txt", "a", 2))]).returncode == 0
    db = Path(os.environ["READQ_DB"])
    before = query(db, "SELECT * FROM papers")
    result = run_readq(args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "is not UTF-8 (the byte \\xff at character" in lines[0], lines
    assert query(db, "SELECT * FROM papers") == before


# ------------------------------------------------------------------------------ 12.16
READ_COMMANDS = [
    ["stats"],
    ["list"],
    ["show", "1"],
    ["export", "-f", "json"],
    ["backup"],
    ["note", "1"],
    ["note", "1", "--history"],
]


@pytest.mark.parametrize("args", READ_COMMANDS)
def test_case12_16_a_mistyped_db_is_not_created_by_a_read(tmp_path: Path, args: list[str]) -> None:
    for db in (tmp_path / "nonexistent" / "dir" / "readq.db", tmp_path / "readq.db"):
        result = run_readq(["--db", str(db), *args])
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert result.stdout == ""
        assert (
            result.stderr.splitlines() == [result.stderr.strip()]
            and f"no library at {db}" in result.stderr
        )
        assert not db.exists() and not db.parent.joinpath("readq.db.lock").exists()
    assert not (tmp_path / "nonexistent").exists()


def test_case12_16_a_write_needs_the_directory(tmp_path: Path) -> None:
    listing = write_listing(tmp_path / "a.txt", "a", 2)
    nowhere = tmp_path / "typo" / "readq.db"
    for args in (["ingest", str(listing)], ["import", str(listing)], ["mark", "read", "1"], []):
        result = run_readq(["--db", str(nowhere), *args])
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.strip() == (
            f"readq: {nowhere.parent}: no such directory, so there is no library at {nowhere} "
            "(check --db; create the directory first to start a new library there)"
        ), args
    assert not nowhere.parent.exists()
    # In an existing directory, a write starts a new library there, and says so once.
    here = tmp_path / "readq.db"
    first = run_readq(["--db", str(here), "ingest", str(listing)])
    assert first.returncode == 0
    assert first.stderr == f"readq: started a new library at {here}\n"
    second = run_readq(["--db", str(here), "ingest", str(listing)])
    assert second.returncode == 0 and second.stderr == ""


def test_case12_16_the_default_location_is_created_silently(tmp_path: Path) -> None:
    env = child_env()
    del env["READQ_DB"]
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    result = run_readq(["stats", "--json"], env=env)
    assert result.returncode == 0 and result.stderr == ""
    assert json.loads(result.stdout)["total"] == 0
    assert (tmp_path / "xdg" / "readq" / "readq.db").exists()
