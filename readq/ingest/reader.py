"""Safe, streaming reading of listing files: text lines with bounded memory.

A path must be a regular file (a FIFO or ``/dev/zero`` would hang a naive ``read()``), not
binary, and decode as UTF-8 (with or without a BOM); anything else is read as Windows-1252 with
a warning. Lines are yielded one at a time, CRLF or LF alike, each capped at ``MAX_LINE_CHARS``.
"""

from __future__ import annotations

import codecs
import itertools
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from readq.ingest.errors import IngestError
from readq.paths import escape_undecodable

MAX_LINE_CHARS = 1_000_000
CHUNK_BYTES = 1 << 20
_BYTE_SPLIT_CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8"}
"""Encodings (by codec name) whose lines are split as bytes, each with its line codec (a
single-byte codec is decoded faster a chunk at a time: its lines stay with the text path)."""
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"PK\x03\x04", b"\x7fELF", b"GIF8", b"\xff\xd8\xff")


@dataclass(slots=True)
class TextSource:
    """A listing file checked for safety, ready to be read line by line."""

    name: str
    path: str
    encoding: str
    size: int
    warnings: list[str] = field(default_factory=list)
    _opener: Callable[[], BinaryIO] | None = None

    def lines(self) -> Iterator[str]:
        """Yield the file's lines without line endings, decoded, each capped in length."""
        assert self._opener is not None
        yield from _iter_lines(self._opener, self.encoding, self)

    def byte_chunks(self) -> Iterator[bytes]:
        """The raw bytes, in pieces of about ``CHUNK_BYTES``, without a leading UTF-8 BOM when
        the file is read as UTF-8 (for scans that decode only the lines they keep)."""
        assert self._opener is not None
        with self._opener() as handle:
            head = handle.read(3)
            if self.encoding.startswith("utf-8") and head == codecs.BOM_UTF8:
                head = b""
            if head:
                yield head
            while chunk := handle.read(CHUNK_BYTES):
                yield chunk

    def line_batches(self) -> Iterator[list[str]]:
        """The lines of :meth:`lines`, one list per chunk read (for passes over every line)."""
        assert self._opener is not None
        return _iter_line_batches(self._opener, self.encoding, self)


def open_listing(path: str) -> TextSource:
    """Check ``path`` (``-`` for stdin) and work out its encoding; raise ``IngestError``."""
    if path == "-":
        return _from_stdin()
    # A name that is not UTF-8 is opened as given but shown and stored with its bad bytes as
    # \xff (it could neither be printed nor stored as text otherwise).
    display = escape_undecodable(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise IngestError(display, "no such file") from None
    except PermissionError:
        raise IngestError(display, "permission denied") from None
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            raise IngestError(display, "symbolic link loop") from None
        raise IngestError(display, exc.strerror or str(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise IngestError(display, "is a directory, not a listing file")
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "not a regular file"
        raise IngestError(display, f"is {kind}; readq reads regular files only")
    if info.st_size == 0:
        raise IngestError(display, "is empty")
    try:
        with open(path, "rb") as handle:
            head = handle.read(8192)
    except PermissionError:
        raise IngestError(display, "permission denied") from None
    except OSError as exc:
        raise IngestError(display, exc.strerror or str(exc)) from None
    _reject_binary(display, head)

    def opener() -> BinaryIO:
        return open(path, "rb")

    source = TextSource(
        name=escape_undecodable(Path(path).name),
        path=escape_undecodable(str(Path(path).absolute())),
        encoding="utf-8",
        size=info.st_size,
        _opener=opener,
    )
    source.encoding = _detect_encoding(opener, source)
    return source


def _from_stdin() -> TextSource:
    import sys

    if sys.stdin is None:  # started with descriptor 0 closed (`readq ingest - <&-`)
        raise IngestError("<stdin>", "standard input is closed")
    spool = tempfile.SpooledTemporaryFile(max_size=64 << 20)  # noqa: SIM115
    try:
        shutil.copyfileobj(sys.stdin.buffer, spool)
    except (OSError, ValueError) as exc:  # closed or unreadable descriptor
        spool.close()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise IngestError("<stdin>", f"cannot be read ({reason})") from None
    size = spool.tell()
    if size == 0:
        raise IngestError("<stdin>", "is empty")
    spool.seek(0)
    _reject_binary("<stdin>", spool.read(8192))

    def opener() -> BinaryIO:
        spool.seek(0)
        return _NoClose(spool)  # type: ignore[return-value]

    source = TextSource(name="<stdin>", path="<stdin>", encoding="utf-8", size=size, _opener=opener)
    source.encoding = _detect_encoding(opener, source)
    return source


class _NoClose:
    """Wraps the stdin spool so that each pass can re-read it."""

    def __init__(self, inner: object) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def __enter__(self) -> _NoClose:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _reject_binary(display: str, head: bytes) -> None:
    if any(head.startswith(magic) for magic in _BINARY_MAGIC):
        raise IngestError(display, "is a binary file (not a text listing)")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise IngestError(display, "is UTF-16 text; save it as UTF-8")
    nul = head.count(b"\x00")
    if nul > 8 or (head and nul / len(head) > 0.01):
        raise IngestError(display, "is a binary file (not a text listing)")
    if head:
        controls = sum(1 for b in head if b < 9 or 13 < b < 32)
        if controls / len(head) > 0.05:
            raise IngestError(display, "is a binary file (not a text listing)")


def _detect_encoding(opener: Callable[[], BinaryIO], source: TextSource) -> str:
    """UTF-8 if the whole file decodes as UTF-8 (streamed), else Windows-1252 with a warning."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with opener() as handle:
            while chunk := handle.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        source.warnings.append("not valid UTF-8; read as Windows-1252")
        return "cp1252"
    except OSError as exc:
        raise IngestError(source.name, exc.strerror or str(exc)) from None
    return "utf-8-sig"


def _iter_lines(opener: Callable[[], BinaryIO], encoding: str, source: TextSource) -> Iterator[str]:
    for batch in _iter_line_batches(opener, encoding, source):
        yield from batch


def _iter_line_batches(
    opener: Callable[[], BinaryIO], encoding: str, source: TextSource
) -> Iterator[list[str]]:
    """The lines of :func:`_iter_lines`, a list per chunk read (cheaper to walk in bulk).

    UTF-8 files are split into lines as bytes and each line is decoded on its own: a newline
    byte is never part of a multi-byte character, so the lines are those of decoding first
    (an invalid sequence cut by a newline gives the same replacement character either way),
    and no line is widened by a non-ASCII character elsewhere in its chunk (decoding a chunk
    at once makes the whole chunk two or four bytes a character as soon as one line has a
    "•"). Other encodings are decoded first (:func:`_iter_text_line_batches`, the reference
    a test compares this with).
    """
    name = codecs.lookup(encoding).name
    line_codec = _BYTE_SPLIT_CODECS.get(name)
    if line_codec is None:
        yield from _iter_text_line_batches(opener, encoding, source)
    else:
        yield from _iter_byte_line_batches(opener, line_codec, name == "utf-8-sig", source)


def _iter_byte_line_batches(
    opener: Callable[[], BinaryIO], codec: str, strip_bom: bool, source: TextSource
) -> Iterator[list[str]]:
    """:func:`_iter_line_batches` for UTF-8 (``codec``), without a leading BOM if
    ``strip_bom``."""
    codecs_ = itertools.repeat(codec)
    errors = itertools.repeat("replace")
    truncated = False
    with opener() as handle:
        pending = b""
        while True:
            chunk = handle.read(CHUNK_BYTES)
            data = pending + chunk if pending else chunk
            if strip_bom:
                # As the "utf-8-sig" decoder does: a BOM's start is held until it is whole.
                if data.startswith(codecs.BOM_UTF8):
                    data = data[len(codecs.BOM_UTF8) :]
                elif chunk and codecs.BOM_UTF8.startswith(data):
                    pending = data
                    continue
                strip_bom = False
            parts = data.split(b"\n")
            pending = parts.pop()
            if parts:
                lines = list(map(str, parts, codecs_, errors))
                # A byte is at most a character: lines within the cap in bytes are within it.
                if b"\r" in data or max(map(len, parts)) > MAX_LINE_CHARS:
                    lines = [_cap(line.rstrip("\r"), source) for line in lines]
                yield lines
            if len(pending) > MAX_LINE_CHARS:
                # As the text reader does: the characters decoded so far of the unfinished
                # line (a character cut by the chunk's end not yet among them).
                decoder = codecs.getincrementaldecoder(codec)(errors="replace")
                head = decoder.decode(pending, final=not chunk)
                # It looks at the line only when the chunk just read gave it characters:
                # with what its decoder held of the bytes before (an unfinished character).
                held = _held_back(data[: max(0, len(data) - len(chunk))], codec)
                fresh = _decoded(held + chunk, codec, final=not chunk) != ""
                if fresh and len(head) > MAX_LINE_CHARS:
                    if not truncated:
                        source.warnings.append(
                            f"a line longer than {MAX_LINE_CHARS:,} characters was cut"
                        )
                        truncated = True
                    # As the text reader does: the rest of the line is decoded and dropped.
                    only_cr = not head[MAX_LINE_CHARS:].strip("\r")
                    pending = b""
                    while more := handle.read(CHUNK_BYTES):
                        text = decoder.decode(more)
                        index = text.find("\n")
                        if index >= 0:
                            only_cr = only_cr and not text[:index].strip("\r")
                            pending = more[more.find(b"\n") + 1 :]
                            break
                        only_cr = only_cr and not text.strip("\r")
                    else:
                        # What the text reader's decoder still holds at the end (an unfinished
                        # character) it gives as one more line.
                        pending = decoder.getstate()[0]
                    cut = head[:MAX_LINE_CHARS]
                    yield [cut.rstrip("\r") if only_cr else cut]
            if not chunk:
                break
    if pending:
        yield [_cap(str(pending, codec, "replace").rstrip("\r"), source)]


def _held_back(data: bytes, codec: str) -> bytes:
    """The bytes at the end of ``data`` that an incremental decoder holds back (the start of
    an unfinished character)."""
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    decoder.decode(data)
    return bytes(decoder.getstate()[0])


def _decoded(data: bytes, codec: str, *, final: bool) -> str:
    """What an incremental decoder gives for ``data`` (all of it if ``final``)."""
    return codecs.getincrementaldecoder(codec)(errors="replace").decode(data, final=final)


def _iter_text_line_batches(
    opener: Callable[[], BinaryIO], encoding: str, source: TextSource
) -> Iterator[list[str]]:
    """:func:`_iter_line_batches` for any encoding: each chunk decoded, then split."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    pending = ""
    truncated = False
    with opener() as handle:
        while True:
            chunk = handle.read(CHUNK_BYTES)
            text = decoder.decode(chunk, final=not chunk)
            if text:
                pending += text
                has_cr = "\r" in pending
                parts = pending.split("\n")
                pending = parts.pop()
                # Whole-chunk checks (one memchr, one C-level max) spare most lines two calls.
                if has_cr or max(map(len, parts), default=0) > MAX_LINE_CHARS:
                    parts = [_cap(part.rstrip("\r"), source) for part in parts]
                if parts:
                    yield parts
                if len(pending) > MAX_LINE_CHARS:
                    if not truncated:
                        source.warnings.append(
                            f"a line longer than {MAX_LINE_CHARS:,} characters was cut"
                        )
                        truncated = True
                    # Keep the start of the over-long line, drop the rest until its end; the
                    # "\r"s that end it go first, as from a line read whole (else the lines
                    # would depend on where the chunks end).
                    cut = pending[:MAX_LINE_CHARS]
                    only_cr = not pending[MAX_LINE_CHARS:].strip("\r")
                    pending, dropped_only_cr = _skip_to_newline(handle, decoder)
                    yield [cut.rstrip("\r") if only_cr and dropped_only_cr else cut]
            if not chunk:
                break
    parts = pending.split("\n")
    last = parts.pop()
    tail = [_cap(part.rstrip("\r"), source) for part in parts]
    if last:
        tail.append(_cap(last.rstrip("\r"), source))
    if tail:
        yield tail


def _skip_to_newline(handle: BinaryIO, decoder: codecs.IncrementalDecoder) -> tuple[str, bool]:
    """Discard input up to the next newline; return what follows it (possibly empty) and
    whether what was discarded was only "\r"s."""
    only_cr = True
    while chunk := handle.read(CHUNK_BYTES):
        text = decoder.decode(chunk)
        index = text.find("\n")
        if index >= 0:
            return text[index + 1 :], only_cr and not text[:index].strip("\r")
        only_cr = only_cr and not text.strip("\r")
    return "", only_cr


def _cap(line: str, source: TextSource) -> str:
    if len(line) > MAX_LINE_CHARS:
        message = f"a line longer than {MAX_LINE_CHARS:,} characters was cut"
        if message not in source.warnings:
            source.warnings.append(message)
        return line[:MAX_LINE_CHARS]
    return line
