"""Safe, streaming reading of listing files: text lines with bounded memory.

A path must be a regular file (a FIFO or ``/dev/zero`` would hang a naive ``read()``) and not
binary. Text is UTF-8 (with or without a BOM), decoded line by line: a line that is not valid
UTF-8 is read as Windows-1252 and counted in a warning, so that one stray byte of another
encoding changes that line only, never the whole file. UTF-16 and UTF-32 files, with a BOM or
without one (recognised by their NUL bytes), are read in their encoding. Lines are yielded one
at a time, CRLF or LF alike, each capped at ``MAX_LINE_CHARS``.
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
FALLBACK_CODEC = "cp1252"
"""How a line that is not valid UTF-8 is read (Windows-1252: what such stray bytes usually are)."""
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

    @property
    def ascii_compatible(self) -> bool:
        """Whether ASCII text is its own bytes in this file (UTF-8; not UTF-16 or UTF-32), so
        that scans may search the raw bytes."""
        return _is_utf8(self.encoding)

    def lines(self) -> Iterator[str]:
        """Yield the file's lines without line endings, decoded, each capped in length."""
        assert self._opener is not None
        yield from _iter_lines(self._opener, self.encoding, self)

    def byte_chunks(self) -> Iterator[bytes]:
        """The raw bytes, in pieces of about ``CHUNK_BYTES``, without a leading UTF-8 BOM when
        the file is read as UTF-8 (for scans that decode only the lines they keep; only
        meaningful when :attr:`ascii_compatible`)."""
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
    encoding = _sniff_encoding(display, head)

    def opener() -> BinaryIO:
        return open(path, "rb")

    source = TextSource(
        name=escape_undecodable(Path(path).name),
        path=escape_undecodable(str(Path(path).absolute())),
        encoding=encoding,
        size=info.st_size,
        _opener=opener,
    )
    _check_wide_text(source, display)
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
    encoding = _sniff_encoding("<stdin>", spool.read(8192))

    def opener() -> BinaryIO:
        spool.seek(0)
        return _NoClose(spool)  # type: ignore[return-value]

    source = TextSource(
        name="<stdin>", path="<stdin>", encoding=encoding, size=size, _opener=opener
    )
    _check_wide_text(source, "<stdin>")
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


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WIDE_NAMES = {
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 (little-endian)",
    "utf-16-be": "UTF-16 (big-endian)",
    "utf-32": "UTF-32",
    "utf-32-le": "UTF-32 (little-endian)",
    "utf-32-be": "UTF-32 (big-endian)",
}


def _sniff_encoding(display: str, head: bytes) -> str:
    """The encoding of a file from its first bytes: a UTF-32/UTF-16 BOM, or the NUL bytes of
    BOM-less UTF-16/UTF-32 text, or else UTF-8 (lines that are not UTF-8 are read as
    Windows-1252 one by one); ``IngestError`` for a binary file."""
    if any(head.startswith(magic) for magic in _BINARY_MAGIC):
        raise IngestError(display, "is a binary file (not a text listing)")
    for bom, encoding in _WIDE_BOMS:
        if head.startswith(bom):
            return encoding
    wide = _wide_without_bom(head)
    if wide is not None:
        return wide
    nul = head.count(b"\x00")
    if nul > 8 or (head and nul / len(head) > 0.01):
        raise IngestError(display, "is a binary file (not a text listing)")
    if head:
        controls = sum(1 for b in head if b < 9 or 13 < b < 32)
        if controls / len(head) > 0.05:
            raise IngestError(display, "is a binary file (not a text listing)")
    return "utf-8-sig"


def _wide_without_bom(head: bytes) -> str | None:
    """UTF-16 or UTF-32 text without a BOM, told by where its NUL bytes fall: mostly-ASCII
    text has a NUL in every high byte (UTF-16LE ``T\\0i\\0``, UTF-32LE ``T\\0\\0\\0``) and
    none in the low ones. The head must then decode as that encoding to printable text."""
    size = len(head) - len(head) % 4
    if size < 8:
        return None
    head = head[:size]
    nul = [head[offset::4].count(0) / (size // 4) for offset in range(4)]
    candidates: list[str] = []
    if min(nul[1:]) > 0.5 and nul[0] < 0.05:
        candidates.append("utf-32-le")
    if min(nul[:3]) > 0.5 and nul[3] < 0.05:
        candidates.append("utf-32-be")
    odd, even = (nul[1] + nul[3]) / 2, (nul[0] + nul[2]) / 2
    if odd > 0.3 and even < 0.05:
        candidates.append("utf-16-le")
    if even > 0.3 and odd < 0.05:
        candidates.append("utf-16-be")
    for encoding in candidates:
        # Leniently: a broken sequence is then named by _check_wide_text, not called binary.
        text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
        controls = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r") or ch == "\ufffd")
        if text and controls / len(text) <= 0.05:
            return encoding
    return None


def _check_wide_text(source: TextSource, display: str) -> None:
    """A UTF-16/UTF-32 file must decode as such to the end (streamed): else one clear line
    naming the encoding it seemed to be in. UTF-8 needs no pass: each line is decoded alone."""
    if _is_utf8(source.encoding):
        return
    assert source._opener is not None
    decoder = codecs.getincrementaldecoder(source.encoding)()
    try:
        with source._opener() as handle:
            while chunk := handle.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        name = _WIDE_NAMES.get(source.encoding, source.encoding)
        raise IngestError(
            display, f"looks like {name} text but is not valid {name}; save it as UTF-8"
        ) from None
    except OSError as exc:
        raise IngestError(display, exc.strerror or str(exc)) from None


def _is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name in _BYTE_SPLIT_CODECS


def decode_line(raw: bytes, fallback: str | None = FALLBACK_CODEC) -> tuple[str, bool]:
    """One line's text: UTF-8 if it is valid UTF-8, else ``fallback`` (undefined bytes as
    U+FFFD; with no fallback, UTF-8 with U+FFFD for what is invalid); and whether the
    fallback was needed."""
    try:
        return str(raw, "utf-8"), False
    except UnicodeDecodeError:
        if fallback is None:
            return str(raw, "utf-8", "replace"), False
        return str(raw, fallback, "replace"), True


def decode_text(data: bytes, encoding: str) -> tuple[str, int]:
    """A whole file's text (for imports, parsed as one document) and how many of its lines
    were read as Windows-1252 (UTF-8 files are decoded line by line, as listings are)."""
    if not _is_utf8(encoding):
        return data.decode(encoding, errors="replace"), 0
    if codecs.lookup(encoding).name == "utf-8-sig" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return str(data, "utf-8"), 0
    except UnicodeDecodeError:
        pass
    parts: list[str] = []
    redecoded = 0
    for raw in data.split(b"\n"):
        text, fell_back = decode_line(raw)
        parts.append(text)
        redecoded += fell_back
    return "\n".join(parts), redecoded


def redecoded_warning(count: int) -> str:
    """The warning for ``count`` lines that were not valid UTF-8."""
    lines = "1 line" if count == 1 else f"{count:,} lines"
    return f"{lines} not valid UTF-8; read as Windows-1252"


def _warn_redecoded(source: TextSource, count: int) -> None:
    """Add (or replace: each full pass counts again) the warning for re-decoded lines."""
    if not count:
        return
    message = redecoded_warning(count)
    source.warnings[:] = [w for w in source.warnings if not w.endswith("read as Windows-1252")]
    source.warnings.append(message)


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
    no line is widened by a non-ASCII character elsewhere in its chunk (decoding a chunk at
    once makes the whole chunk two or four bytes a character as soon as one line has a "•"),
    and a line that is not valid UTF-8 is read as Windows-1252 without changing any other.
    Other encodings are decoded first (:func:`_iter_text_line_batches`, the reference a test
    compares this with).
    """
    name = codecs.lookup(encoding).name
    line_codec = _BYTE_SPLIT_CODECS.get(name)
    if line_codec is None:
        yield from _iter_text_line_batches(opener, encoding, source)
    else:
        yield from _iter_byte_line_batches(opener, line_codec, name == "utf-8-sig", source)


def _iter_byte_line_batches(
    opener: Callable[[], BinaryIO],
    codec: str,
    strip_bom: bool,
    source: TextSource,
    fallback: str | None = FALLBACK_CODEC,
) -> Iterator[list[str]]:
    """:func:`_iter_line_batches` for UTF-8 (``codec``), without a leading BOM if
    ``strip_bom``; a line that is not valid UTF-8 is read with ``fallback`` (see
    :func:`decode_line`), and their number is a warning once the whole file was read. (A line
    over ``MAX_LINE_CHARS``, cut while unfinished, keeps UTF-8 with U+FFFD.)"""
    codecs_ = itertools.repeat(codec)
    errors = itertools.repeat("replace" if fallback is None else "strict")
    redecoded = 0
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
                try:
                    lines = list(map(str, parts, codecs_, errors))
                except UnicodeDecodeError:  # some line is not UTF-8: decode them one by one
                    lines = []
                    for raw in parts:
                        text, fell_back = decode_line(raw, fallback)
                        lines.append(text)
                        redecoded += fell_back
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
        text, fell_back = decode_line(pending, fallback)
        redecoded += fell_back
        yield [_cap(text.rstrip("\r"), source)]
    _warn_redecoded(source, redecoded)


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
