"""Cases 12-13: bad input through the real ``readq ingest`` CLI, and property-based fuzzing."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from relutil import REPO, query, run_readq, write_listing

from readq.ingest import ingest_paths
from readq.search import QueryError, parse_query
from readq.store import Store

DROP_ROOT_POWERS = [
    "setpriv",
    "--inh-caps=-all",
    "--bounding-set=-dac_override,-dac_read_search",
]
"""Run a command as root without the capabilities that let root ignore file permissions."""


def _db() -> Path:
    return Path(os.environ["READQ_DB"])


def _total() -> int:
    result = run_readq(["stats", "--json"])
    assert result.returncode == 0, result.stderr
    return int(json.loads(result.stdout)["total"])


def _state() -> list[tuple[object, ...]]:
    return query(_db(), "SELECT id, title, status, note, updated_at FROM papers ORDER BY id")


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A library of 20 papers; returns a fresh good listing (5 other papers) to ingest."""
    first = run_readq(["ingest", str(write_listing(tmp_path / "base.txt", "base", 20))])
    assert first.returncode == 0, first.stderr
    return write_listing(tmp_path / "good.txt", "good", 5)


def _make_bad(kind: str, tmp_path: Path) -> str:
    path = tmp_path / f"bad-{kind}"
    if kind == "missing":
        return str(path)
    if kind == "directory":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "pdf":
        path.write_bytes(b"%PDF-1.7\n" + os.urandom(4000))
    elif kind == "random-bytes":
        path.write_bytes(os.urandom(20000))
    elif kind == "dev-zero":
        return "/dev/zero"
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink-loop":
        os.symlink(path, path)
    elif kind == "nul-bytes":
        path.write_bytes(b"Abstract:A\x00B\x00C " * 50 + b"\x00" * 2000)
    elif kind == "no-papers":
        path.write_text("just some notes\nnot a listing\n", encoding="utf-8")
    return str(path)


BAD_KINDS = [
    "missing",
    "directory",
    "empty",
    "pdf",
    "random-bytes",
    "dev-zero",
    "fifo",
    "symlink-loop",
    "nul-bytes",
    "no-papers",
]


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_case12_bad_file_one_line_others_ingested(library: Path, tmp_path: Path, kind: str) -> None:
    bad = _make_bad(kind, tmp_path)
    before = _state()
    result = run_readq(["ingest", bad, str(library)], timeout=30)  # a hang fails here
    assert result.returncode == 1, (kind, result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, (kind, result.stderr)
    assert errors[0].startswith("readq: "), errors[0]
    assert "Traceback" not in result.stderr
    assert "good.txt: 5 papers" in result.stdout  # the other file was still ingested
    after = _state()
    assert after[: len(before)] == before  # nothing stored was changed by the failure
    assert len(after) == len(before) + 5


def test_case12_unreadable_file(library: Path, tmp_path: Path) -> None:
    bad = write_listing(tmp_path / "secret.txt", "secret", 3)
    bad.chmod(0)
    before = _state()
    command = [*DROP_ROOT_POWERS, sys.executable, "-m", "readq", "ingest", str(bad), str(library)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == f"readq: {bad}: permission denied"
    assert "good.txt: 5 papers" in result.stdout
    assert _state()[: len(before)] == before


ARXIV_FIXTURE = (REPO / "tests" / "fixtures" / "arxiv_dump.txt").read_bytes()
CP1252_LINE = (
    "Abstract:Caf\u00e9 na\u00efve \u201cquoted\u201d \u2013 dash: we study how a small "
    "model reads menus in poor light and report gains on three made-up benchmarks.\n"
)


@pytest.mark.parametrize(
    ("kind", "data", "warning"),
    [
        ("bom", b"\xef\xbb\xbf" + ARXIV_FIXTURE, None),
        ("crlf", ARXIV_FIXTURE.replace(b"\n", b"\r\n"), None),
        ("cp1252", CP1252_LINE.encode("cp1252"), "Windows-1252"),
    ],
)
def test_case12_encodings_are_read(
    library: Path, tmp_path: Path, kind: str, data: bytes, warning: str | None
) -> None:
    path = tmp_path / f"{kind}.txt"
    path.write_bytes(data)
    result = run_readq(["ingest", str(path)])
    assert result.returncode == 0, result.stderr
    if warning is None:
        assert result.stderr == ""
    else:
        assert warning in result.stderr and len(result.stderr.splitlines()) == 1
    titles = [str(r[0]) for r in query(_db(), "SELECT title FROM papers WHERE id > 20")]
    assert titles and all("\ufeff" not in t and "\r" not in t for t in titles)
    if kind == "cp1252":
        assert any("Café naïve “quoted” – dash" in t for t in titles), titles
    if kind in ("crlf", "bom"):
        assert len(titles) == ARXIV_FIXTURE.count(b"\n")


def _peak_rss_mb(args: list[str]) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run ``readq ARGS`` from a wrapper that reports its child's peak RSS (MB)."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run([sys.executable, '-m', 'readq', *sys.argv[1:]])\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(r.returncode)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", wrapper, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=170,
    )
    lines = result.stderr.strip().splitlines()
    return result, int(lines[-1]) / 1024


@pytest.mark.slow
def test_case12_huge_files_bounded_memory(library: Path, tmp_path: Path) -> None:
    one_line = tmp_path / "one-line.txt"
    with one_line.open("wb") as handle:  # a single 100 MB line (no newline at all)
        handle.write(b"Abstract:")
        block = b"word " * 209_715  # ~1 MiB
        for _ in range(100):
            handle.write(block)
    result, rss = _peak_rss_mb(["ingest", str(one_line), str(library)])
    assert rss < 300, rss
    assert "good.txt: 5 papers" in result.stdout, result.stderr
    assert "was cut" in result.stderr  # the user is told the line was truncated
    print(f"peak RSS, 100 MB single line: {rss:.0f} MB")

    big = tmp_path / "big.txt"
    with big.open("wb") as handle:  # ~400 MB of lines that are not a listing
        chunk = b"this is a line of notes, not a listing of papers at all\n" * 18_000
        for _ in range(400):
            handle.write(chunk)
    assert big.stat().st_size > 390_000_000
    before = _state()
    result, rss = _peak_rss_mb(["ingest", str(big), str(library)])
    assert result.returncode == 1
    assert "no papers found" in result.stderr
    assert rss < 300, rss
    assert _state()[: len(before)] == before
    print(f"peak RSS, 400 MB file: {rss:.0f} MB")
    big.unlink()  # do not leave 500 MB in pytest's kept temp dirs
    one_line.unlink()


# ------------------------------------------------------------------ case 13: fuzzing
FUZZ_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

LISTING_PIECES = st.sampled_from(
    [
        "Abstract:",
        "Abstract:We study things.",
        "\n",
        "\r\n",
        "  • 5 authors\n",
        "·\n",
        "Sep 20, 2024 6\n",
        "Nov 4\n",
        "Daily Papers\n",
        "Submitted by\n",
        "[/]",
        "\x1b]0;x\x07",
        "\u202e",
        "\x00",
        "\ufeff",
        "@",
        "{",
        "<?xml",
    ]
)


@FUZZ_SETTINGS
@given(
    data=st.one_of(
        st.binary(max_size=3000),
        st.lists(st.one_of(LISTING_PIECES, st.text(max_size=80)), max_size=60).map(
            lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
        ),
    )
)
def test_case13_fuzz_ingest_pipeline(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    where = tmp_path_factory.mktemp("fuzz")
    path = where / "listing.txt"
    path.write_bytes(data)
    with Store.open(where / "readq.db") as store:
        before = store.count()
        reports = ingest_paths(store, [str(path)])
        assert len(reports) == 1
        report = reports[0]
        if report.error is not None:
            assert "\n" not in report.error
            assert store.count() == before
        else:
            assert report.result is not None
            assert store.count() == before + report.result.new
        assert store.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"


QUERY_PIECES = st.sampled_from(
    [
        '"',
        "(",
        ")",
        "-",
        "OR",
        "AND",
        "NOT",
        ":",
        "status:",
        "is:",
        "star",
        "year:",
        "2024",
        "..",
        ">",
        "<",
        "=",
        "*",
        "~",
        "'",
        "\\",
        " ",
        "title:",
        "note:",
        "[/]",
        "\x00",
        "é",
    ]
)


@FUZZ_SETTINGS
@given(
    query_text=st.one_of(
        st.text(max_size=200),
        st.lists(st.one_of(QUERY_PIECES, st.text(max_size=8)), max_size=30).map("".join),
    )
)
def test_case13_fuzz_query_parser(query_text: str) -> None:
    with contextlib.suppress(QueryError):  # a clean, reported error is fine; nothing else
        parse_query(query_text)
