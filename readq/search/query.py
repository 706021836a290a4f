"""The query language: free words, ``"phrases"``, ``-exclusions`` and ``field:filters``.

``parse_query(text)`` returns a :class:`Query` or raises :class:`QueryError` with a one-line
message meant for the user. It never raises anything else, whatever the text.

Grammar (whitespace separates clauses, order does not matter, all clauses must hold)::

    word            fuzzy word in title, organisation, abstract or note
    "a phrase"      appears as written (case-insensitive); an unclosed quote runs to the end
    -clause         excludes what the clause matches (works for words, phrases and filters)
    is:new  is:to-read  is:read  is:starred     (a unique prefix is enough: is:s, is:to)
    has:note
    org:NAME  title:WORD  note:WORD             (NAME/WORD may be "quoted phrases")
    year:2024  year:>=2023  year:<2024  year:<=2023  year:>2020  year:=2024

A filter with an empty value (``org:`` while the user is still typing) is ignored. A word
ending in a colon that is not a filter (``Scaling:``) is a plain word. An unknown filter with
a value (``foo:bar``) is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import IntEnum

from readq.models import Status
from readq.search.tokens import words


class QueryError(ValueError):
    """The query cannot be understood; ``str(error)`` is one line for the user."""


class Field(IntEnum):
    """The indexed text fields of a paper."""

    TITLE = 0
    ABSTRACT = 1
    ORG = 2
    NOTE = 3


ALL_FIELDS: frozenset[Field] = frozenset(Field)


@dataclass(frozen=True, slots=True)
class WordClause:
    """One typed word; punctuation inside it splits it into several ``tokens`` (all must match).

    ``fields`` restricts where it may match (``title:``, ``org:``, ``note:``).
    """

    tokens: tuple[str, ...]
    fields: frozenset[Field] = ALL_FIELDS
    negated: bool = False


@dataclass(frozen=True, slots=True)
class PhraseClause:
    """Text that must appear as written, case-insensitively (whitespace runs are equal)."""

    text: str
    fields: frozenset[Field] = ALL_FIELDS
    negated: bool = False


@dataclass(frozen=True, slots=True)
class StatusClause:
    """``is:new`` / ``is:to-read`` / ``is:read``."""

    status: Status
    negated: bool = False


@dataclass(frozen=True, slots=True)
class StarredClause:
    """``is:starred``."""

    negated: bool = False


@dataclass(frozen=True, slots=True)
class HasNoteClause:
    """``has:note``."""

    negated: bool = False


@dataclass(frozen=True, slots=True)
class YearClause:
    """``year:OPYYYY``: the published year compared with ``year`` (papers without a date fail)."""

    op: str  # one of "=", "<", "<=", ">", ">="
    year: int
    negated: bool = False

    def accepts(self, year: int) -> bool:
        """Whether a paper published in ``year`` satisfies the comparison (negation aside)."""
        if self.op == "=":
            return year == self.year
        if self.op == "<":
            return year < self.year
        if self.op == "<=":
            return year <= self.year
        if self.op == ">":
            return year > self.year
        return year >= self.year


Clause = WordClause | PhraseClause | StatusClause | StarredClause | HasNoteClause | YearClause


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: every clause must hold."""

    text: str
    clauses: tuple[Clause, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        """True when the query selects everything (no clauses)."""
        return not self.clauses

    @property
    def positive_words(self) -> tuple[WordClause, ...]:
        """The non-negated word clauses (they decide the ranking)."""
        return tuple(c for c in self.clauses if isinstance(c, WordClause) and not c.negated)

    @property
    def positive_phrases(self) -> tuple[PhraseClause, ...]:
        """The non-negated phrase clauses."""
        return tuple(c for c in self.clauses if isinstance(c, PhraseClause) and not c.negated)


FILTER_KEYS = ("is", "has", "org", "year", "title", "note")
_KEY = re.compile(r"([A-Za-z][A-Za-z_]*):(.*)", re.DOTALL)
_YEAR = re.compile(r"(>=|<=|>|<|=)?(\d{4})")
_IS_VALUES: dict[str, str] = {
    "new": "new",
    "to-read": "to-read",
    "toread": "to-read",
    "read": "read",
    "starred": "starred",
}
_FIELD_FOR_KEY = {"org": Field.ORG, "title": Field.TITLE, "note": Field.NOTE}


def parse_query(text: str) -> Query:
    """Parse ``text`` into a :class:`Query`; raises :class:`QueryError` on a bad filter."""
    clauses: list[Clause] = []
    pos = 0
    length = len(text)
    while pos < length:
        char = text[pos]
        if char.isspace():
            pos += 1
            continue
        negated = False
        if char == "-" and pos + 1 < length and not text[pos + 1].isspace():
            negated = True
            pos += 1
            char = text[pos]
        if char == '"':
            body, pos = _read_quoted(text, pos)
            phrase = _phrase(body, ALL_FIELDS, negated)
            if phrase is not None:
                clauses.append(phrase)
            continue
        start = pos
        while pos < length and not text[pos].isspace():
            if text[pos] == '"' and pos > start and text[pos - 1] == ":":
                break
            pos += 1
        token = text[start:pos]
        quoted: str | None = None
        if pos < length and text[pos] == '"':
            quoted, pos = _read_quoted(text, pos)
        clause = _clause(token, quoted, negated)
        if clause is not None:
            clauses.append(clause)
    return Query(text=text, clauses=tuple(clauses))


def _read_quoted(text: str, pos: int) -> tuple[str, int]:
    """The text between the quote at ``pos`` and the next one (or the end), and the position
    after it."""
    end = text.find('"', pos + 1)
    if end < 0:
        return text[pos + 1 :], len(text)
    return text[pos + 1 : end], end + 1


def _phrase(body: str, fields: frozenset[Field], negated: bool) -> PhraseClause | None:
    cleaned = " ".join(body.split())
    if not words(cleaned):
        return None
    return PhraseClause(text=cleaned, fields=fields, negated=negated)


def _word(token: str, fields: frozenset[Field], negated: bool) -> WordClause | None:
    tokens = tuple(words(token))
    if not tokens:
        return None
    return WordClause(tokens=tokens, fields=fields, negated=negated)


def _clause(token: str, quoted: str | None, negated: bool) -> Clause | None:
    match = _KEY.fullmatch(token)
    if match is None:
        if quoted is not None:  # e.g. foo"bar": treat both as plain text
            return _word(token + " " + quoted, ALL_FIELDS, negated)
        return _word(token, ALL_FIELDS, negated)
    key = match.group(1).lower()
    value = match.group(2) if quoted is None else quoted
    if key not in FILTER_KEYS:
        if not value.strip():
            return _word(token, ALL_FIELDS, negated)
        known = ", ".join(k + ":" for k in FILTER_KEYS)
        raise QueryError(f"unknown filter '{match.group(1)}:' (known filters: {known})")
    if not value.strip():
        return None  # still being typed
    if key in _FIELD_FOR_KEY:
        fields = frozenset({_FIELD_FOR_KEY[key]})
        if quoted is not None:
            return _phrase(value, fields, negated)
        return _word(value, fields, negated)
    if key == "is":
        return _is_clause(value, negated)
    if key == "has":
        if "note".startswith(value.lower()):
            return HasNoteClause(negated=negated)
        raise QueryError(f"unknown value 'has:{value}' (expected has:note)")
    return _year_clause(value, negated)


def _is_clause(value: str, negated: bool) -> Clause:
    cleaned = value.strip().lower().replace("_", "-")
    if cleaned in _IS_VALUES:
        target = _IS_VALUES[cleaned]
    else:
        options = {v for k, v in _IS_VALUES.items() if k.startswith(cleaned)}
        if len(options) != 1:
            raise QueryError(
                f"unknown value 'is:{value}' (expected is:new, is:to-read, is:read, is:starred)"
            )
        target = options.pop()
    if target == "starred":
        return StarredClause(negated=negated)
    return StatusClause(status=Status(target), negated=negated)


def _year_clause(value: str, negated: bool) -> YearClause:
    match = _YEAR.fullmatch(value.strip())
    if match is None:
        raise QueryError(
            f"bad year filter 'year:{value}' (expected year:2024, year:>=2023, year:<2024, ...)"
        )
    return YearClause(op=match.group(1) or "=", year=int(match.group(2)), negated=negated)
