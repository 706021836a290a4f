"""How one query word meets the indexed words: exact, as a prefix, as a plural, with typos; the
document sets that gives per field (cached), and the highlighting of matches in a row.

Why apart: matching is the rule users see (``difusion`` finds diffusion, ``llm`` finds LLMs);
it depends only on the vocabulary and postings, so it can be read and tested without building
an engine or running a query. It runs no SQL.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from readq.search import bitset
from readq.search.query import Field
from readq.search.state import PaperState
from readq.search.tokens import word_spans

ABSTRACT_PREFIX_MIN = 4
"""Prefixes shorter than this match titles, organisations and notes, not abstracts."""
TYPO_MIN = 4
"""Words shorter than this are not matched with typos."""
SNIPPET_CHARS = 240
_TERM_CACHE = 48
_EXPANSIONS = 256

Raw = dict[Field, tuple[int, int, int]]
"""(exact, prefix, typo) document sets of one word, per field."""
Letters = dict[tuple[str, Field], list[list[int]]]
"""New documents the one-letter prefixes gain: ``(letter, field) -> [exact docs, prefix docs]``."""


def plurals(word: str) -> tuple[str, ...]:
    """The plural forms a word also matches where prefixes do not reach (abstracts, for words
    under :data:`ABSTRACT_PREFIX_MIN` letters): ``sae`` -> ``saes``, ``moe`` -> ``moes``."""
    return (word + "s", word + "es")


def max_typos(word: str) -> int:
    """How many edits (insert, delete, substitute, swap) a query word may be away from a
    stored word: none under 4 characters, 1 up to 7, 2 from 8."""
    if len(word) < TYPO_MIN:
        return 0
    return 1 if len(word) < 8 else 2


def typo_matches(token: str, choices: list[str], distance: int) -> list[str]:
    """Words of ``choices`` within ``distance`` edits of ``token`` (not ``token`` itself nor
    words it is a prefix of: those match better)."""
    if not distance or not choices:
        return []
    return [
        word
        for word, _score, _i in process.extract(
            token, choices, scorer=OSA.distance, score_cutoff=distance, limit=None
        )
        if word != token and not word.startswith(token)
    ]


class WordMatcher:
    """The document sets a query word matches, with the caches that make typing fast: word
    sets (the one-letter title prefixes pinned: the first keystroke of every search) and
    prefix/typo expansions. The owner drops them when the indexed text changes."""

    def __init__(self, state: PaperState) -> None:
        self.state = state
        self.term_cache: OrderedDict[str, Raw] = OrderedDict()
        self.pinned: set[str] = set()
        self.expansions: OrderedDict[str, tuple[list[str], list[str]]] = OrderedDict()

    def term_raw(self, token: str, cancel: Callable[[], bool] | None) -> Raw:
        """(exact, prefix, typo) document sets of ``token`` in title, abstract and organisation
        (cached until the indexed text changes)."""
        cached = self.term_cache.get(token)
        if cached is not None:
            self.term_cache.move_to_end(token)
            return cached
        index = self.state.index
        longer, typos = self.expand(token)
        raw: Raw = {}
        for field in (Field.TITLE, Field.ABSTRACT, Field.ORG):
            exact = index.union(field, [token])
            if field != Field.ABSTRACT or len(token) >= ABSTRACT_PREFIX_MIN:
                prefix = index.union(field, longer, cancel)
            else:  # short words are acronyms there: "llm" finds "LLMs", not "llama"
                prefix = index.union(field, plurals(token))
            typo = index.union(field, typos, cancel)
            raw[field] = (exact, prefix, typo)
        self.term_cache[token] = raw
        while len(self.term_cache) > _TERM_CACHE + len(self.pinned):
            oldest = next(k for k in self.term_cache if k not in self.pinned)
            del self.term_cache[oldest]
        return raw

    def expand(self, token: str) -> tuple[list[str], list[str]]:
        """Vocabulary words longer than ``token`` that start with it, and its typo matches."""
        cached = self.expansions.get(token)
        if cached is not None:
            return cached
        index = self.state.index
        longer = [w for w in index.with_prefix(token) if w != token]
        typos: list[str] = []
        distance = max_typos(token)
        if distance:
            for length in range(len(token) - distance, len(token) + distance + 1):
                for first in dict.fromkeys(token[:2]):
                    choices = index.by_length(length, first)
                    if choices:
                        typos += typo_matches(token, choices, distance)
        self.expansions[token] = (longer, typos)
        if len(self.expansions) > _EXPANSIONS:
            self.expansions.popitem(last=False)
        return longer, typos

    def note_raw(self, token: str) -> tuple[int, int, int]:
        """(exact, prefix, typo) document sets of ``token`` in notes (never cached)."""
        side = self.state.index.side[Field.NOTE]
        n = self.state.n
        exact: set[int] = set(side.get(token, ()))
        prefix: set[int] = set()
        for word, docs in side.items():
            if word != token and word.startswith(token):
                prefix.update(docs)
        typo: set[int] = set()
        distance = max_typos(token)
        if distance:
            for word in typo_matches(token, list(side), distance):
                typo.update(side[word])
        return (
            bitset.from_indices(exact, n) if exact else 0,
            bitset.from_indices(prefix, n) if prefix else 0,
            bitset.from_indices(typo, n) if typo else 0,
        )

    def matcher(self, token: str) -> Matcher:
        """How ``token`` is recognised in a row's text, for highlighting."""
        _longer, typos = self.expand(token)
        notes = list(self.state.index.side[Field.NOTE])
        note_typos = typo_matches(token, notes, max_typos(token))
        return Matcher(token, frozenset(typos) | frozenset(note_typos) | frozenset(plurals(token)))

    # ---------------------------------------------------------------- caches
    def warm(self) -> None:
        """Precompute the one-letter title prefixes (the first keystroke of every search)."""
        letters = {w[0] for w in self.state.index.main[Field.TITLE]}
        for letter in sorted(letters):
            self.term_raw(letter, None)
        self.pinned = set(letters)

    def forget_unpinned(self) -> None:
        """Drop the cached word sets except the pinned one-letter prefixes."""
        for token in [t for t in self.term_cache if t not in self.pinned]:
            del self.term_cache[token]

    def forget(self) -> None:
        """Drop the cached word sets (but the pinned ones) and expansions: the next use of a
        word computes it cold."""
        self.forget_unpinned()
        self.expansions.clear()

    def text_changed(self) -> None:
        """The indexed text changed: drop every word set and expansion, pin the letters again."""
        self.term_cache.clear()
        self.expansions.clear()
        self.warm()

    def appended(self, letters: Letters) -> None:
        """Papers were appended (and nothing else changed in the indexed text): the pinned
        one-letter prefixes gain the new documents noted in ``letters`` instead of being
        recomputed; other word sets and expansions are dropped."""
        self.expansions.clear()
        self.forget_unpinned()
        n = self.state.n
        for (letter, field), (exact, prefix) in letters.items():
            raw = self.term_cache.get(letter)
            if raw is None:
                continue
            e, p, t = raw[field]
            if exact:
                e |= bitset.from_indices(exact, n)
            if prefix:
                p |= bitset.from_indices(prefix, n)
            raw[field] = (e, p, t)
        new_letters = {w[0] for w in self.state.index.main[Field.TITLE]} - self.pinned
        self.pinned |= new_letters
        for letter in sorted(new_letters):
            self.term_raw(letter, None)

    def pinned_sets(self) -> dict[str, Raw]:
        """The pinned word sets (to save with the index)."""
        return {t: self.term_cache[t] for t in sorted(self.pinned) if t in self.term_cache}

    def restore_pinned(self, sets: dict[str, Raw]) -> None:
        """Start from saved pinned word sets (:meth:`pinned_sets`), nothing else cached."""
        self.term_cache.clear()
        self.expansions.clear()
        for token, raw in sets.items():
            self.term_cache[token] = raw
        self.pinned = set(self.term_cache)


# ------------------------------------------------------------------ highlights
@dataclass(frozen=True, slots=True)
class Highlights:
    """What to highlight in one row: spans are ``(start, end)`` offsets, end exclusive.

    ``title_spans`` index into the title; ``snippet`` is a piece of the abstract around the
    first match (or its beginning), one line, with ``…`` where it was cut, and
    ``snippet_spans`` index into ``snippet``.
    """

    title_spans: tuple[tuple[int, int], ...]
    snippet: str
    snippet_spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Matcher:
    """How one positive word or phrase is recognised in text, for highlighting."""

    token: str
    typos: frozenset[str]
    pattern: re.Pattern[str] | None = None


def phrase_pattern(text: str) -> re.Pattern[str]:
    """A phrase as a case-insensitive pattern where any run of spaces matches its spaces."""
    parts = [re.escape(p) for p in text.split()]
    return re.compile(r"\s+".join(parts), re.IGNORECASE)


def make_highlights(matchers: Sequence[Matcher], title: str, abstract: str) -> Highlights:
    """Highlights of ``title`` and of a snippet of ``abstract`` for these matchers."""
    title_spans = _spans(matchers, title, 1)
    abstract_spans = _spans(matchers, abstract, ABSTRACT_PREFIX_MIN)
    flat = abstract.replace("\n", " ").replace("\r", " ")
    if len(flat) <= SNIPPET_CHARS:
        return Highlights(tuple(title_spans), flat, tuple(abstract_spans))
    first = abstract_spans[0][0] if abstract_spans else 0
    start = max(0, first - 60)
    if start > 0:
        space = flat.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    end = min(len(flat), start + SNIPPET_CHARS)
    if end < len(flat):
        space = flat.rfind(" ", max(first + 1, start), end)
        end = space if space > start else end
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    snippet = prefix + flat[start:end].strip() + suffix
    shift = len(prefix) - start
    body_end = len(snippet) - len(suffix)
    spans = []
    for a, b in abstract_spans:
        if a >= start and a < end:
            spans.append((a + shift, min(b + shift, body_end)))
    return Highlights(tuple(title_spans), snippet, tuple(spans))


def _spans(matchers: Sequence[Matcher], text: str, min_prefix: int) -> list[tuple[int, int]]:
    if not text or not matchers:
        return []
    spans: list[tuple[int, int]] = []
    word_matchers = [m for m in matchers if m.pattern is None]
    if word_matchers:
        for start, end, word in word_spans(text):
            best = 0
            for m in word_matchers:
                if word == m.token or word in m.typos:
                    best = end - start
                    break
                if len(m.token) >= min_prefix and word.startswith(m.token):
                    best = max(best, _prefix_length(text, start, end, m.token))
            if best:
                spans.append((start, start + best))
    for m in matchers:
        if m.pattern is not None:
            spans.extend((x.start(), x.end()) for x in m.pattern.finditer(text))
    return _merge(spans)


def _prefix_length(text: str, start: int, end: int, token: str) -> int:
    """Characters of ``text[start:end]`` covered by ``token`` (casefolding may change lengths)."""
    for length in range(1, end - start + 1):
        if text[start : start + length].casefold() == token:
            return length
    return end - start


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged
