"""Ingesting files: bad paths, encodings, streaming, one transaction per file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import FIXTURES

from readq.ingest import ingest_paths, ingest_text
from readq.ingest.reader import MAX_LINE_CHARS, open_listing
from readq.store import Store


def _good(tmp_path: Path) -> Path:
    path = tmp_path / "good.txt"
    path.write_bytes((FIXTURES / "hf_daily.txt").read_bytes())
    return path


@pytest.mark.parametrize(
    ("maker", "expected"),
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: d, "is a directory"),
        (lambda d: _write(d / "empty.txt", b""), "is empty"),
        (lambda d: _write(d / "doc.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "binary"),
        (lambda d: _write(d / "rand.bin", bytes(range(256)) * 40), "binary"),
        (lambda d: _write(d / "nuls.txt", b"Title\x00\x00\x00" * 100), "binary"),
        (lambda d: _write(d / "prose.txt", b"just a note\nnothing else\n"), "no papers found"),
    ],
)
def test_bad_files_get_one_line_and_others_still_ingest(
    tmp_path: Path,
    store: Store,
    maker,
    expected: str,  # type: ignore[no-untyped-def]
) -> None:
    bad = maker(tmp_path)
    good = _good(tmp_path)
    reports = ingest_paths(store, [str(bad), str(good)])
    assert reports[0].error is not None and expected in reports[0].error
    assert str(bad) in reports[0].error or bad.name in reports[0].error
    assert "\n" not in reports[0].error
    assert reports[1].ok and store.count() == 5


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_fifo_and_dev_zero_do_not_hang(tmp_path: Path, store: Store) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reports = ingest_paths(store, [str(fifo), "/dev/zero"])
    assert "FIFO" in (reports[0].error or "")
    assert "regular file" in (reports[1].error or "")


def test_symlink_loop_and_unreadable(tmp_path: Path, store: Store) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    reports = ingest_paths(store, [str(loop)])
    assert "link loop" in (reports[0].error or "")
    if os.geteuid() != 0:
        locked = _good(tmp_path)
        locked.chmod(0)
        (report,) = ingest_paths(store, [str(locked)])
        assert "permission denied" in (report.error or "")


def test_windows_1252_is_read_with_a_warning(tmp_path: Path, store: Store) -> None:
    text = (FIXTURES / "hf_daily.txt").read_text(encoding="utf-8")
    text = text.replace("🦜", "").replace("注意力", "").replace("•", "-").replace("·", "·")
    text = text.replace("Quiet Diffusion:", "Café Diffusion:")
    path = tmp_path / "cp1252.txt"
    path.write_bytes(text.encode("cp1252"))
    (report,) = ingest_paths(store, [str(path)])
    assert report.ok
    assert any("Windows-1252" in w for w in report.warnings)
    titles = {p.title for p in store.list_papers()}
    assert "Café Diffusion: Denoising Without the Noise Schedule" in titles


def test_a_huge_line_is_capped_not_loaded_whole(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    with path.open("wb") as handle:
        handle.write(b"Title\n\n")
        handle.write(b"a" * (MAX_LINE_CHARS * 3))
        handle.write(b"\nNext\n")
    source = open_listing(str(path))
    lines = list(source.lines())
    assert max(len(line) for line in lines) <= MAX_LINE_CHARS
    assert lines[-1] == "Next"
    assert any("was cut" in w for w in source.warnings)


def test_a_failed_file_changes_nothing(tmp_path: Path, store: Store) -> None:
    ingest_paths(store, [str(_good(tmp_path))])
    store.set_status([1], __import__("readq.models").models.Status.READ)
    before = [p.to_json() for p in store.list_papers()]

    class Boom(Exception):
        pass

    from readq.models import ScrapedPaper, Source

    def exploding():  # type: ignore[no-untyped-def]
        yield ScrapedPaper(title="Brand new paper", abstract="x" * 300)
        raise Boom

    with pytest.raises(Boom):
        store.ingest(exploding(), Source("x", "/x", "now"), "hf")
    assert [p.to_json() for p in store.list_papers()] == before


def test_ingest_text_from_a_paste(store: Store) -> None:
    report = ingest_text(store, (FIXTURES / "arxiv_dump.txt").read_text())
    assert report.ok and report.result is not None and report.result.new == 3
    assert ingest_text(store, "   \n").error is not None
