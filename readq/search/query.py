"""The query language: words, ``"phrases"``, ``-exclusions``, ``field:filters``, ``OR`` and
``( groups )``.

One parser serves every path that answers a query (the in-memory index, the exact SQL
evaluation in :mod:`readq.search.sql`, the CLI), so an operator means the same everywhere.
``parse_query(text)`` returns a :class:`Query` or raises :class:`QueryError` with a one-line
message meant for the user. It never raises anything else, whatever the text.

Grammar (``AND`` binds tighter than ``OR``; terms side by side are ANDed)::

    query   := or_expr
    or_expr := and_expr ( "OR" and_expr )*          OR must be upper case ("or" is a word)
    and_expr:= unary+
    unary   := "-" unary | "(" or_expr ")" | term
    term    := word | "a phrase" | key:value | key:"a phrase"

    word            fuzzy word in title, organisation, abstract or note
    "a phrase"      appears as written (case-insensitive)
    -x              excludes what x matches (words, phrases, filters and groups)
    is:new  is:to-read  is:read  is:starred     (a unique prefix is enough: is:s, is:to)
    has:note  has:tag
    tag:NAME        the tag or one below it (tag:project finds project/avatars)
    org:NAME  title:WORD  note:WORD             (NAME/WORD may be "quoted phrases")
    year:2024  year:>=2023  year:<2024  year:<=2023  year:>2020  year:=2024
    read:2026-11-01  read:>=2026-11-01  read:<2026-01-01  read:7d  read:2w
                    (the day a paper was marked read, UTC; 7d: on or after 7 days ago)

Errors (never "everything" and never silently nothing): a filter without a value (``org:``),
a lone ``-``, an empty ``()``, an unterminated quote or parenthesis, an ``OR`` without a term
on each side, an unknown filter with a value (``foo:bar``). A word ending in a colon that is
not a filter (``Scaling:``) is a plain word.

A new filter is one entry in :data:`FILTERS`: a function from the value to a
clause.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Literal

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

ViewFilter = Status | Literal["starred"] | None
"""A base view: papers with this status, the starred ones, or all of them (``None``)."""

MAX_TERMS = 4000
"""Words, phrases and filters a query may hold: a pasted page is answered, a pasted book is a
clear error (every evaluator's cost grows with it; SQLite takes at most 32766 parameters)."""
MAX_DEPTH = 32
"""Parentheses nested deeper than this are an error (keeps every evaluator's recursion and
SQLite's expression depth bounded, whatever is pasted)."""


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


@dataclass(frozen=True, slots=True)
class ReadClause:
    """``read:OPDATE``: the day a paper was marked read (UTC, ``YYYY-MM-DD``) compared with
    ``day``. Papers without a read date (never read, or read before readq kept dates) fail.
    ``read:7d`` is parsed into ``>=`` the day 7 days ago, so every path compares one date."""

    op: str  # one of "=", "<", "<=", ">", ">="
    day: str
    negated: bool = False


@dataclass(frozen=True, slots=True)
class TagClause:
    """``tag:NAME``: papers carrying the tag ``key`` (casefolded) or one below it in the
    hierarchy (``tag:project`` finds ``project/avatars``, not ``projection``)."""

    key: str
    negated: bool = False


@dataclass(frozen=True, slots=True)
class HasTagClause:
    """``has:tag``: papers with at least one tag."""

    negated: bool = False


Clause = (
    WordClause
    | PhraseClause
    | StatusClause
    | StarredClause
    | HasNoteClause
    | YearClause
    | ReadClause
    | TagClause
    | HasTagClause
)


@dataclass(frozen=True, slots=True)
class AllOf:
    """A parenthesised group of terms that must all hold (``(a b)``)."""

    items: tuple[Node, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Alternatives joined by ``OR``: at least one must hold."""

    items: tuple[Node, ...]
    negated: bool = False


Node = Clause | AllOf | AnyOf


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: every item of ``clauses`` must hold (an implicit AND)."""

    text: str = field(compare=False)
    clauses: tuple[Node, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        """True when the query selects everything (no clauses)."""
        return not self.clauses

    @property
    def has_text(self) -> bool:
        """Whether any word or phrase is asked for (they need the index for typos and rank;
        filters alone are answered exactly by SQL)."""
        return any(isinstance(c, WordClause | PhraseClause) for c in leaves(self.clauses))

    def with_clauses(self, *extra: Node) -> Query:
        """This query with more clauses ANDed (``readq list --status`` adds its filter so)."""
        clauses = (*self.clauses, *extra)
        return Query(text=render_nodes(clauses), clauses=clauses)


def leaves(nodes: tuple[Node, ...]) -> Iterator[Clause]:
    """Every clause inside ``nodes``, groups opened, negated or not."""
    for node in nodes:
        if isinstance(node, AllOf | AnyOf):
            yield from leaves(node.items)
        else:
            yield node


def positive_terms(nodes: tuple[Node, ...]) -> Iterator[WordClause | PhraseClause]:
    """The words and phrases that make a paper match (not under a negation): what to
    highlight."""
    for node in nodes:
        if node.negated:
            continue
        if isinstance(node, AllOf | AnyOf):
            yield from positive_terms(node.items)
        elif isinstance(node, WordClause | PhraseClause):
            yield node


def negate(node: Node) -> Node:
    """``node`` with its negation flipped (``-(-x)`` is ``x``)."""
    return dataclasses.replace(node, negated=not node.negated)


# ------------------------------------------------------------------------ filters
FilterParser = Callable[[str, bool], Clause]
"""Turns a filter's value (the text after ``key:``; ``quoted`` when it was a phrase) into a
clause, or raises :class:`QueryError`."""

_YEAR = re.compile(r"(>=|<=|>|<|=)?(\d{4})")
_READ_DAY = re.compile(r"(>=|<=|>|<|=)?(\d{4}-\d{2}-\d{2})")
_READ_AGO = re.compile(r"(\d{1,5})([dw])", re.IGNORECASE)
_IS_VALUES: dict[str, str] = {
    "new": "new",
    "to-read": "to-read",
    "toread": "to-read",
    "read": "read",
    "starred": "starred",
}


def _text_filter(target: Field) -> FilterParser:
    fields = frozenset({target})

    def parse(value: str, quoted: bool) -> Clause:
        clause = _phrase(value, fields) if quoted else _word(value, fields)
        if clause is None:
            raise QueryError(f"nothing to search for in '{_key_of(target)}:{value}'")
        return clause

    return parse


def _key_of(target: Field) -> str:
    return {Field.ORG: "org", Field.TITLE: "title", Field.NOTE: "note"}.get(target, "")


def _is_filter(value: str, quoted: bool) -> Clause:
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
        return StarredClause()
    return StatusClause(status=Status(target))


def _has_filter(value: str, quoted: bool) -> Clause:
    cleaned = value.strip().lower()
    if cleaned in ("tag", "tags"):
        return HasTagClause()
    if "note".startswith(cleaned):
        return HasNoteClause()
    if "tag".startswith(cleaned):
        return HasTagClause()
    raise QueryError(f"unknown value 'has:{value}' (expected has:note or has:tag)")


def _tag_filter(value: str, quoted: bool) -> Clause:
    # The key as readq.tags.tag_key computes it (NFC, casefolded); a trailing "/" asks for
    # the same hierarchy as the name without it.
    key = unicodedata.normalize("NFC", value).strip().casefold().rstrip("/")
    if not key:
        raise QueryError(f"nothing to search for in 'tag:{value}'")
    return TagClause(key=key)


def _year_filter(value: str, quoted: bool) -> Clause:
    match = _YEAR.fullmatch(value.strip())
    if match is None:
        raise QueryError(
            f"bad year filter 'year:{value}' (expected year:2024, year:>=2023, year:<2024, ...)"
        )
    return YearClause(op=match.group(1) or "=", year=int(match.group(2)))


def _read_filter(value: str, quoted: bool) -> Clause:
    from datetime import UTC, date, datetime, timedelta

    text = value.strip()
    ago = _READ_AGO.fullmatch(text)
    if ago is not None:
        days = int(ago.group(1)) * (7 if ago.group(2).lower() == "w" else 1)
        today = datetime.now(UTC).date()
        return ReadClause(op=">=", day=(today - timedelta(days=days)).isoformat())
    match = _READ_DAY.fullmatch(text)
    if match is not None:
        try:
            day = date.fromisoformat(match.group(2))
        except ValueError:
            day = None
        if day is not None:
            return ReadClause(op=match.group(1) or "=", day=day.isoformat())
    raise QueryError(
        f"bad read filter 'read:{value}' (expected read:2026-11-01, read:>=2026-11-01, "
        "read:<2026-01-01, read:7d, read:2w)"
    )


FILTERS: dict[str, FilterParser] = {
    "is": _is_filter,
    "has": _has_filter,
    "org": _text_filter(Field.ORG),
    "year": _year_filter,
    "title": _text_filter(Field.TITLE),
    "note": _text_filter(Field.NOTE),
    "read": _read_filter,
    "tag": _tag_filter,
}
"""Every ``key:`` the language knows; adding one here is all the parser needs."""
FILTER_KEYS = tuple(FILTERS)
_EXAMPLES = {"is": "is:read", "has": "has:note", "year": "year:2024", "tag": "tag:project"}


# ------------------------------------------------------------------------- lexing
@dataclass(frozen=True, slots=True)
class _Token:
    kind: Literal["(", ")", "-", "OR", "term", "phrase"]
    text: str = ""
    quoted: str | None = None
    """For a ``term`` followed directly by a quoted value (``org:"Nimbus AI"``)."""


_KEY = re.compile(r"([A-Za-z][A-Za-z_]*):(.*)", re.DOTALL)
_DELIMITERS = frozenset("()")


def _read_quoted(text: str, pos: int) -> tuple[str, int]:
    """The text between the quote at ``pos`` and the next one, and the position after it."""
    end = text.find('"', pos + 1)
    if end < 0:
        raise QueryError('unterminated quote: close the phrase with "')
    return text[pos + 1 : end], end + 1


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    length = len(text)
    while pos < length:
        char = text[pos]
        if char.isspace():
            pos += 1
        elif char in _DELIMITERS:
            tokens.append(_Token(char))  # type: ignore[arg-type]
            pos += 1
        elif char == "-":
            following = text[pos + 1] if pos + 1 < length else ""
            if not following or following.isspace() or following == ")":
                raise QueryError("'-' must be followed by what to exclude (-word, -is:read)")
            tokens.append(_Token("-"))
            pos += 1
        elif char == '"':
            body, pos = _read_quoted(text, pos)
            tokens.append(_Token("phrase", body))
        else:
            start = pos
            while pos < length and not text[pos].isspace() and text[pos] not in _DELIMITERS:
                if text[pos] == '"' and text[pos - 1] == ":":
                    break
                pos += 1
            word = text[start:pos]
            if pos < length and text[pos] == '"':
                body, pos = _read_quoted(text, pos)
                tokens.append(_Token("term", word, body))
            elif word == "OR":
                tokens.append(_Token("OR"))
            else:
                tokens.append(_Token("term", word))
    return tokens


# ------------------------------------------------------------------------ parsing
def parse_query(text: str) -> Query:
    """Parse ``text`` into a :class:`Query`; raises :class:`QueryError` when it is malformed."""
    parser = _Parser(_lex(text))
    alternatives = parser.or_expr(0)
    if parser.peek() is not None:  # only a ')' stops the top level early
        raise QueryError("unmatched ')': no '(' opens it")
    if len(alternatives) == 1:
        return Query(text=text, clauses=tuple(alternatives[0]))
    return Query(text=text, clauses=(_any_of(alternatives),))


def _any_of(alternatives: list[list[Node]]) -> AnyOf:
    return AnyOf(
        tuple(items[0] if len(items) == 1 else AllOf(tuple(items)) for items in alternatives)
    )


class _Parser:
    """Recursive descent over the tokens (depth bounded by :data:`MAX_DEPTH`)."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.terms = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def or_expr(self, depth: int) -> list[list[Node]]:
        """The alternatives, each a list of ANDed nodes (one empty list: nothing at all)."""
        alternatives = [self.and_expr(depth)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.pos += 1
            following = self.and_expr(depth)
            if not alternatives[-1] or not following:
                raise QueryError("OR needs a term on each side (a OR b)")
            alternatives.append(following)
        if len(alternatives) > 1 and not alternatives[0]:
            raise QueryError("OR needs a term on each side (a OR b)")
        return alternatives

    def and_expr(self, depth: int) -> list[Node]:
        items: list[Node] = []
        while (token := self.peek()) is not None and token.kind not in ("OR", ")"):
            node = self.unary(depth)
            if node is not None:
                items.append(node)
        return items

    def unary(self, depth: int) -> Node | None:
        negations = 0
        while (token := self.peek()) is not None and token.kind == "-":
            negations += 1
            self.pos += 1
        token = self.peek()
        if negations and (token is None or token.kind in ("OR", ")")):
            raise QueryError("'-' must be followed by what to exclude (-word, -is:read)")
        assert token is not None
        self.pos += 1
        node: Node | None
        if token.kind == "(":
            node = self.group(depth + 1)
        elif token.kind == "phrase":
            node = _phrase(token.text, ALL_FIELDS)
            if node is None and negations:
                raise QueryError(f"nothing to exclude in '-\"{token.text}\"'")
        else:
            node = _term(token)
            if node is None and negations:
                raise QueryError(f"nothing to exclude in '-{token.text}'")
        if isinstance(node, WordClause | PhraseClause | StatusClause | StarredClause):
            self.terms += len(node.tokens) if isinstance(node, WordClause) else 1
        elif node is not None and not isinstance(node, AllOf | AnyOf):
            self.terms += 1
        if self.terms > MAX_TERMS:
            raise QueryError(f"query too long (at most {MAX_TERMS} words and filters)")
        if node is not None and negations % 2:
            node = negate(node)
        return node

    def group(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise QueryError(f"too many nested parentheses (at most {MAX_DEPTH})")
        alternatives = self.or_expr(depth)
        token = self.peek()
        if token is None:
            raise QueryError("unclosed '(': add the matching ')'")
        self.pos += 1  # the ')'
        if len(alternatives) > 1:
            return _any_of(alternatives)
        items = alternatives[0]
        if not items:
            raise QueryError("empty (): put a term inside the parentheses")
        return items[0] if len(items) == 1 else AllOf(tuple(items))


def _phrase(body: str, fields: frozenset[Field]) -> PhraseClause | None:
    cleaned = " ".join(body.split())
    if not words(cleaned):
        return None
    return PhraseClause(text=cleaned, fields=fields)


def _word(token: str, fields: frozenset[Field]) -> WordClause | None:
    tokens = tuple(words(token))
    if not tokens:
        return None
    return WordClause(tokens=tokens, fields=fields)


def _term(token: _Token) -> Clause | None:
    """A word or a filter; None for a token with no letters or digits (``&``)."""
    match = _KEY.fullmatch(token.text)
    if match is None:
        if token.quoted is not None:  # e.g. foo"bar": both as plain text
            return _word(token.text + " " + token.quoted, ALL_FIELDS)
        return _word(token.text, ALL_FIELDS)
    key = match.group(1).lower()
    value = match.group(2) if token.quoted is None else token.quoted
    parser = FILTERS.get(key)
    if parser is None:
        if token.quoted is None and not value.strip():
            return _word(token.text, ALL_FIELDS)  # "Scaling:" is a word
        known = ", ".join(k + ":" for k in FILTER_KEYS)
        raise QueryError(f"unknown filter '{match.group(1)}:' (known filters: {known})")
    if not value.strip():
        example = _EXAMPLES.get(key, f'{key}:WORD or {key}:"a phrase"')
        raise QueryError(f"'{match.group(1)}:' needs a value, e.g. {example}")
    return parser(value, token.quoted is not None)


# ---------------------------------------------------------------------- rendering
_PLAIN_TAG = re.compile(r'[^\s()"][^\s()]*')
_FIELD_KEYS = {Field.ORG: "org:", Field.TITLE: "title:", Field.NOTE: "note:"}
_STATUS_NAMES = {Status.NEW: "new", Status.TO_READ: "to-read", Status.READ: "read"}


def render_nodes(nodes: tuple[Node, ...]) -> str:
    """Query text that parses back to ``nodes`` (ANDed)."""
    return " ".join(render(node) for node in nodes)


def render(node: Node) -> str:
    """Query text for one node; ``parse_query(render(n)).clauses == (n,)`` for parsed nodes."""
    sign = "-" if node.negated else ""
    if isinstance(node, AnyOf):
        return sign + "(" + " OR ".join(render(item) for item in node.items) + ")"
    if isinstance(node, AllOf):
        return sign + "(" + render_nodes(node.items) + ")"
    if isinstance(node, WordClause):
        return sign + _field_key(node.fields) + "-".join(node.tokens)
    if isinstance(node, PhraseClause):
        return sign + _field_key(node.fields) + '"' + node.text + '"'
    if isinstance(node, StatusClause):
        return sign + "is:" + _STATUS_NAMES[node.status]
    if isinstance(node, StarredClause):
        return sign + "is:starred"
    if isinstance(node, HasNoteClause):
        return sign + "has:note"
    if isinstance(node, ReadClause):
        return sign + f"read:{'' if node.op == '=' else node.op}{node.day}"
    if isinstance(node, TagClause):
        return sign + "tag:" + (node.key if _PLAIN_TAG.fullmatch(node.key) else f'"{node.key}"')
    if isinstance(node, HasTagClause):
        return sign + "has:tag"
    return sign + f"year:{'' if node.op == '=' else node.op}{node.year:04d}"


def _field_key(fields: frozenset[Field]) -> str:
    if fields == ALL_FIELDS:
        return ""
    (only,) = fields
    return _FIELD_KEYS[only]
