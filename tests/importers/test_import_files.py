"""Bad import files: one clear line naming the file, exit 1, nothing imported (CLI too)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from readq.cli import cli
from readq.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "missing": tmp_path / "missing.json",
        "directory": tmp_path / "adir.bib",
        "empty": tmp_path / "empty.json",
        "blank": tmp_path / "blank.bib",
        "binary": tmp_path / "paper.pdf",
        "nul": tmp_path / "nul.json",
        "json": tmp_path / "broken.json",
        "bib": tmp_path / "broken.bib",
        "xml": tmp_path / "broken.xml",
        "bomb": tmp_path / "bomb.xml",
        "unknown": tmp_path / "notes.txt",
    }
    files["directory"].mkdir()
    files["empty"].write_bytes(b"")
    files["blank"].write_text("\n\n   \n")
    files["binary"].write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10)
    files["nul"].write_bytes(b"{" + b"\x00" * 100)
    files["json"].write_text('{"format": "readq", "version": 1, "papers": [{"title": }')
    files["bib"].write_text("@article{x,\n title = {Unclosed\n")
    files["xml"].write_text("<feed><entry>")
    files["bomb"].write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><feed>&a;</feed>'
    )
    files["unknown"].write_text("just some notes, not a library\n")
    return files


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("missing", "no such file"),
        ("directory", "is a directory"),
        ("empty", "is empty"),
        ("blank", "is empty"),
        ("binary", "binary"),
        ("nul", "binary"),
        ("json", "malformed JSON"),
        ("bib", "malformed BibTeX"),
        ("xml", "malformed XML"),
        ("bomb", "refused"),
        ("unknown", "not a readq JSON export, a BibTeX file or an Atom feed"),
    ],
)
def test_cli_refuses_bad_files(tmp_path: Path, kind: str, message: str) -> None:
    db = tmp_path / "lib.db"
    runner = CliRunner()
    assert (
        runner.invoke(
            cli, ["--db", str(db), "import", str(FIXTURES / "import_sample.bib")]
        ).exit_code
        == 0
    )
    path = _bad_files(tmp_path)[kind]
    result = runner.invoke(cli, ["--db", str(db), "import", str(path)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("readq: ") and path.name in lines[0] and message in lines[0]
    assert "Traceback" not in result.output
    with Store.open(db) as store:
        assert store.count() == 3


def test_import_from_stdin(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    result = CliRunner().invoke(
        cli,
        ["--db", str(db), "import", "-"],
        input=(FIXTURES / "import_arxiv_feed.xml").read_text(),
    )
    assert result.exit_code == 0, result.output
    assert "2 papers (atom): 2 new" in result.stdout


def test_format_option_overrides_detection(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    path = tmp_path / "refs.txt"
    path.write_text("% leading comment\n\n" + (FIXTURES / "import_sample.bib").read_text())
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db), "import", str(path)])
    assert result.exit_code == 0, result.output  # an @entry line is enough to detect BibTeX
    other = tmp_path / "feed.txt"
    other.write_text((FIXTURES / "import_arxiv_feed.xml").read_text())
    result = runner.invoke(cli, ["--db", str(db), "import", "--format", "bibtex", str(other)])
    assert result.exit_code == 1 and "feed.txt" in result.stderr


def test_export_and_import_modules_never_import_textual() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import readq.export.json, readq.export.bibtex, readq.export.markdown\n"
        "import readq.export.csv, readq.importers.json, readq.importers.bibtex\n"
        "import readq.importers.atom, readq.importers.apply\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
