"""The fast paths of the Hugging Face ingest give exactly what the plain implementations give.

The references below are the parser and URL finder as they were before the batch loop, the
short-line caches and the URL pre-check, the reader's decode-then-split path, and the abstract
key of the whole 400-character head: a stored paper, its dedupe keys and the file's warnings
must not change with the speed-ups.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from unittest import mock

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from readq.ingest import fields, hf, reader
from readq.ingest.fields import (
    AUTHORS_LINE,
    ListingDate,
    find_urls,
    parse_date_line,
    resolve_date,
)
from readq.ingest.hf import CHROME_LINES, DATE_LINE_MAX, ORG_LINE_MAX, TITLE_MAX, iter_hf
from readq.ingest.reader import TextSource
from readq.models import ScrapedPaper
from readq.textclean import abstract_key, clean_line, normalise_key

TODAY = date(2026, 11, 22)


# --- the reference parser (the generator chain the batch loop replaced) ---------------------


@dataclass(slots=True)
class _Draft:
    title: str
    abstract: str = ""
    authors: int | None = None
    org: str | None = None
    date: ListingDate | None = None


class _Peekable:
    def __init__(self, items: Iterator[str]) -> None:
        self._items = items
        self._next: str | None = None
        self._has_next = False

    def __iter__(self) -> _Peekable:
        return self

    def __next__(self) -> str:
        if self._has_next:
            self._has_next = False
            assert self._next is not None
            return self._next
        return next(self._items)

    def peek(self) -> str | None:
        if not self._has_next:
            try:
                self._next = next(self._items)
            except StopIteration:
                return None
            self._has_next = True
        return self._next


def _reference_drafts(lines: Iterable[str]) -> Iterator[_Draft]:
    stream = _Peekable(clean_line(raw) for raw in lines if raw and clean_line(raw))
    draft: _Draft | None = None
    in_header = True
    for line in stream:
        short = len(line) <= DATE_LINE_MAX
        date_line = parse_date_line(line) if short and line[0] in "JFMASOND" else None
        if in_header:
            if short and (line.casefold() in CHROME_LINES or date_line is not None):
                continue
            in_header = False
        if short:
            if line == "·":
                continue
            authors = AUTHORS_LINE.match(line)
            if authors is not None:
                if draft is not None:
                    draft.authors = int(authors["count"])
                continue
        if date_line is not None and draft is not None and (draft.abstract or draft.date is None):
            draft.date = date_line
            yield draft
            draft = None
            continue
        if draft is None:
            draft = _Draft(title=line)
            continue
        if not draft.abstract:
            following = stream.peek()
            if (
                len(line) <= 200
                and following is not None
                and len(following) > max(200, 2 * len(line))
                and len(following) > DATE_LINE_MAX
            ):
                yield draft
                draft = _Draft(title=line)
                continue
            draft.abstract = line
            continue
        following = stream.peek()
        if following == "·" and len(line) <= ORG_LINE_MAX:
            handle, _, name = line.partition(" ")
            draft.org = name.strip() or handle
            continue
        yield draft
        draft = _Draft(title=line)
    if draft is not None:
        yield draft


def _reference_iter_hf(lines: Iterable[str], year: int, today: date) -> Iterator[ScrapedPaper]:
    for draft in _reference_drafts(lines):
        published = published_text = upvotes = None
        if draft.date is not None:
            published = resolve_date(draft.date, year)
            if draft.date.year is None and published is not None and published > today.isoformat():
                published = resolve_date(draft.date, year - 1)
            published_text = draft.date.text
            upvotes = draft.date.upvotes
        yield ScrapedPaper(
            title=draft.title[:TITLE_MAX],
            abstract=draft.abstract,
            published=published,
            published_text=published_text,
            upvotes=upvotes,
            authors=draft.authors,
            org=draft.org,
            urls=_reference_find_urls(draft.abstract),
        )


def _reference_find_urls(text: str) -> tuple[str, ...]:
    """find_urls without the "." and "/" pre-check."""
    with mock.patch.object(fields, "_DOT_HINT", re.compile(".")):
        return find_urls(text)


_LISTING_PIECES = [
    "·",
    "  • 3 authors",
    "• 12 authors",
    "- 1 author",
    "Oct 16 3",
    "Feb 29",
    "Feb 29, 2023",
    "Sep 20, 2024 6",
    "Dec 3",
    "Dec 31 5",
    "new",
    "Daily Papers",
    "",
    "   ",
    "apple Apple",
    "stepfun-ai StepFun",
    "Short Title",
    "A Title That Is Somewhat Longer Than Forty Characters",
    "t" * 199,
    "a" * 250,
    "b " * 150,
    "We study x. Code: https://github.com/a/b (see github.com/c/d), www.example.org.",
    "Project page: team.github.io/proj, and huggingface.co/x/y; e.g. ex.GitHub.io",
    "Tabs\there\xa0and  doubles\x1b[31m",
    "Jan 5, 2025",
]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_LISTING_PIECES), st.text(min_size=1, max_size=60)),
        max_size=80,
    ),
    st.integers(min_value=1, max_value=7),
    st.sampled_from([2025, 2026]),
)
def test_iter_hf_matches_the_reference_parser(lines: list[str], batch: int, year: int) -> None:
    want = list(_reference_iter_hf(lines, year, TODAY))
    with mock.patch("readq.ingest.hf._BATCH_LINES", batch):
        assert list(iter_hf(lines, listing_year=year, today=TODAY)) == want
    assert list(iter_hf(iter(lines), listing_year=year, today=TODAY)) == want


def test_iter_hf_matches_the_reference_on_a_long_listing() -> None:
    lines = [_LISTING_PIECES[i * 7 % len(_LISTING_PIECES)] for i in range(30_000)]
    want = list(_reference_iter_hf(lines, 2026, TODAY))
    assert list(iter_hf(lines, listing_year=2026, today=TODAY)) == want


_URL_TEXT = st.lists(
    st.sampled_from(list("ab.:/wWgG iIıİhHuUtTbBcCoOmfF-_()[]@,'\"\t"))
    | st.sampled_from(["www.", "://", "github", "GitHub.io", "huggingface.co/", "github.com/"]),
    max_size=25,
).map("".join)


@settings(max_examples=1500)
@given(st.one_of(_URL_TEXT, st.text(max_size=40)))
def test_find_urls_pre_check_changes_nothing(text: str) -> None:
    assert find_urls(text) == _reference_find_urls(text)


# --- the reader: bytes split first, lines decoded one by one ---------------------------------


def _source(data: bytes, encoding: str) -> TextSource:
    return TextSource(
        name="t", path="t", encoding=encoding, size=len(data), _opener=lambda: io.BytesIO(data)
    )


def _read(data: bytes, encoding: str, *, reference: bool) -> tuple[list[str], list[str]]:
    source = _source(data, encoding)
    assert source._opener is not None
    if reference:
        batches = reader._iter_text_line_batches(source._opener, encoding, source)
    else:
        bom = encoding == "utf-8-sig"
        # Without the Windows-1252 fallback: the splitting and capping are what is compared
        # (test_a_line_that_is_not_utf8_is_read_as_windows_1252_alone checks the fallback).
        batches = reader._iter_byte_line_batches(source._opener, "utf-8", bom, source, None)
    return list(itertools.chain.from_iterable(batches)), source.warnings


_READER_BYTES = st.lists(
    st.sampled_from(
        [
            *(b"\n", b"\r\n", b"\r", b"ab", b"\xe2\x80\xa2", b"\xc2\xb7", b"\xe2\x80", b"\xe2"),
            *(b"\xff", codecs.BOM_UTF8, b"\x80", b"\x81", b"x" * 9),
            *("é".encode(), "é".encode("cp1252")),
        ]
    ),
    max_size=40,
).map(b"".join)


@settings(max_examples=1000, deadline=None)
@given(
    _READER_BYTES,
    st.sampled_from(["utf-8-sig", "utf-8"]),
    st.integers(min_value=1, max_value=9),
    st.integers(min_value=2, max_value=12),
)
def test_byte_split_reader_matches_decoding_first(
    data: bytes, encoding: str, chunk: int, cap: int
) -> None:
    with (
        mock.patch.object(reader, "CHUNK_BYTES", chunk),
        mock.patch.object(reader, "MAX_LINE_CHARS", cap),
    ):
        assert _read(data, encoding, reference=False) == _read(data, encoding, reference=True)


@settings(max_examples=1000, deadline=None)
@given(
    _READER_BYTES, st.sampled_from(["utf-8-sig", "utf-8"]), st.integers(min_value=1, max_value=9)
)
def test_a_line_that_is_not_utf8_is_read_as_windows_1252_alone(
    data: bytes, encoding: str, chunk: int
) -> None:
    """Issue 12 item 6: each line is UTF-8 if it is valid UTF-8, else Windows-1252, whatever
    the other lines hold, and the warning counts the lines read as Windows-1252."""
    with mock.patch.object(reader, "CHUNK_BYTES", chunk):
        source = _source(data, encoding)
        lines = list(source.lines())
    body = data
    if encoding == "utf-8-sig" and body.startswith(codecs.BOM_UTF8):
        body = body[len(codecs.BOM_UTF8) :]
    raws = body.split(b"\n")
    if raws[-1] == b"":
        raws.pop()
    decoded = [reader.decode_line(raw) for raw in raws]
    assert lines == [text.rstrip("\r") for text, _ in decoded]
    for (text, fell_back), raw in zip(decoded, raws, strict=True):
        assert text == (raw.decode("cp1252", "replace") if fell_back else raw.decode("utf-8"))
    bad = sum(fell_back for _, fell_back in decoded)
    assert source.warnings == ([reader.redecoded_warning(bad)] if bad else [])
    assert reader.decode_text(data, encoding) == (
        "\n".join(text for text, _ in [reader.decode_line(r) for r in body.split(b"\n")]),
        bad,
    )


def test_byte_split_reader_on_a_real_sized_chunk() -> None:
    data = codecs.BOM_UTF8 + "Title\r\n  • 3 authors\n·\nSep 20, 2024 6\n\xe9t\xe9".encode() * 5000
    assert _read(data, "utf-8-sig", reference=False) == _read(data, "utf-8-sig", reference=True)


# --- abstract_key: the key of a shorter head first -------------------------------------------


def _reference_abstract_key(abstract: str) -> str:
    folded = normalise_key(abstract[:400])[:300]
    if len(folded) < 40:
        return ""
    return hashlib.blake2b(folded.encode("utf-8"), digest_size=8).hexdigest()


_ASCII_PROSE = st.lists(
    st.sampled_from(["word", "a", "of", " ", "  ", ", ", ". ", " - ", "...", "(x)", "\t", "_", "é"])
    | st.text(alphabet=st.characters(max_codepoint=127), max_size=12),
    max_size=160,
).map("".join)


@settings(max_examples=1500)
@given(_ASCII_PROSE, st.text(max_size=5))
def test_abstract_key_matches_the_400_character_key(text: str, tail: str) -> None:
    assert abstract_key(text) == _reference_abstract_key(text)
    padded = text + "z" * max(0, 400 - len(text)) + tail  # non-ASCII only past the head
    assert abstract_key(padded) == _reference_abstract_key(padded)


# --- date lines: the date before the upvotes parsed once --------------------------------------

_DATE_PIECES = st.lists(
    st.sampled_from(["Sep", "Sept", "Sep.", "May", "Feb", "Dec", "Mar"])
    | st.sampled_from([" ", "  ", "\t", "\u2003", ",", ", ", "."])
    | st.sampled_from(["1", "29", "31", "32", "0", "2023", "12345678", "٣", "7"])
    | st.text(alphabet="0123456789 ,", max_size=8),
    min_size=1,
    max_size=8,
).map("".join)


@settings(max_examples=3000)
@given(_DATE_PIECES, st.sampled_from([2023, 2026]))
def test_short_kind_of_a_date_line_matches_parse_date_line(line: str, year: int) -> None:
    assume(line)  # the parser's lines are never empty
    today_iso = TODAY.isoformat()
    parsed = parse_date_line(line)
    want = None
    if parsed is not None:
        published = resolve_date(parsed, year)
        if parsed.year is None and published is not None and published > today_iso:
            published = resolve_date(parsed, year - 1)
        want = (published, parsed.text, parsed.upvotes)
    dates: dict[str, tuple[str | None, str | None, int | None]] = {}
    for _ in range(2):  # the second time from the remembered date
        kind, _count, dated = hf._short_kind(line, year, today_iso, dates)
        assert (dated if kind == hf._DATE else None) == want
