"""The reader yields the same lines however the file is cut into chunks (CRLF and over-long
lines across chunk boundaries included)."""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readq.ingest import reader
from readq.ingest.errors import IngestError
from readq.ingest.reader import open_listing


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(alphabet=st.sampled_from(list("ab \r\n·é")), max_size=80),
    st.integers(min_value=1, max_value=9),
)
def test_lines_do_not_depend_on_chunking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, chunk: int
) -> None:
    path = tmp_path / "listing.txt"
    path.write_bytes(("Title\n" + text).encode("utf-8"))
    monkeypatch.setattr(reader, "MAX_LINE_CHARS", 10)
    whole = list(open_listing(str(path)).lines())
    monkeypatch.setattr(reader, "CHUNK_BYTES", chunk)
    source = open_listing(str(path))
    assert list(source.lines()) == whole
    assert [line for batch in source.line_batches() for line in batch] == whole
    assert b"".join(source.byte_chunks()) == ("Title\n" + text).encode("utf-8")


def test_byte_chunks_drop_a_utf8_bom_only(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfTitle\nabstract\n")
    assert b"".join(open_listing(str(path)).byte_chunks()) == b"Title\nabstract\n"


LISTING_TEXT = st.lists(
    st.text(
        alphabet=st.one_of(
            st.characters(min_codepoint=32, max_codepoint=126),
            st.sampled_from(list("é•·注意🦜\t\r")),
        ),
        max_size=40,
    ).filter(lambda line: sum(ch.isascii() for ch in line) >= 0.8 * len(line)),
    min_size=3,
    max_size=30,
).map("\n".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    LISTING_TEXT,
    st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]),
    st.integers(min_value=1, max_value=9),
)
def test_utf16_and_utf32_files_read_as_the_same_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, encoding: str, chunk: int
) -> None:
    """Issue 12 item 15: UTF-16/UTF-32 with a BOM ("utf-16" writes one), and without one
    when the text is mostly ASCII (its NUL bytes tell), give the lines of the UTF-8 file."""
    text = "Daily Papers\nbyAK and the research community\n" + text
    utf8 = tmp_path / "utf8.txt"
    utf8.write_bytes(text.encode("utf-8"))
    wide = tmp_path / "wide.txt"
    wide.write_bytes(text.encode(encoding))
    monkeypatch.setattr(reader, "CHUNK_BYTES", chunk)
    source = open_listing(str(wide))
    assert list(source.lines()) == list(open_listing(str(utf8)).lines())
    assert source.warnings == []
    assert not source.ascii_compatible


def test_a_utf32_bom_is_not_taken_for_utf16(tmp_path: Path) -> None:
    path = tmp_path / "u32.txt"
    path.write_bytes(codecs.BOM_UTF32_LE + "Title\n".encode("utf-32-le"))
    assert open_listing(str(path)).encoding == "utf-32"
    assert list(open_listing(str(path)).lines()) == ["Title"]


@pytest.mark.parametrize(
    "data",
    [
        random.Random(12).randbytes(4000),
        b"\x00\x01\x02\x03" * 1000,
        b"A\x00\x00\x00\x00\x00\x00\x00" * 500,
    ],
    ids=["random", "counting", "sparse-A"],
)
def test_nul_heavy_bytes_that_are_not_text_are_still_binary(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    with pytest.raises(IngestError, match="binary"):
        open_listing(str(path))
