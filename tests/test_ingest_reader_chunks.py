"""The reader yields the same lines however the file is cut into chunks (CRLF and over-long
lines across chunk boundaries included)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readq.ingest import reader
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
