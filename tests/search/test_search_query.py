"""The query language: every operator parses, bad filters are one-line QueryErrors, and any
string is either a query or a QueryError (never another exception)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readq.models import Status
from readq.search import Field, QueryError, parse_query
from readq.search.query import (
    AllOf,
    AnyOf,
    HasNoteClause,
    PhraseClause,
    StarredClause,
    StatusClause,
    WordClause,
    YearClause,
    render_nodes,
)


def test_free_words_and_punctuation_split() -> None:
    query = parse_query("Diffusion  text-to-image")
    assert query.clauses == (
        WordClause(("diffusion",)),
        WordClause(("text", "to", "image")),
    )


def test_phrase_and_exclusion() -> None:
    query = parse_query('"Flow  Matching" -video -"latent diffusion"')
    assert query.clauses == (
        PhraseClause("Flow Matching"),
        WordClause(("video",), negated=True),
        PhraseClause("latent diffusion", negated=True),
    )


@pytest.mark.parametrize(
    ("text", "clause"),
    [
        ("is:new", StatusClause(Status.NEW)),
        ("is:to-read", StatusClause(Status.TO_READ)),
        ("is:toread", StatusClause(Status.TO_READ)),
        ("is:read", StatusClause(Status.READ)),
        ("is:starred", StarredClause()),
        ("is:s", StarredClause()),
        ("-is:read", StatusClause(Status.READ, negated=True)),
        ("has:note", HasNoteClause()),
        ("year:2024", YearClause("=", 2024)),
        ("year:>=2023", YearClause(">=", 2023)),
        ("year:<2024", YearClause("<", 2024)),
        ("year:<=2022", YearClause("<=", 2022)),
        ("year:>2020", YearClause(">", 2020)),
        ("org:nimbus", WordClause(("nimbus",), frozenset({Field.ORG}))),
        ('org:"Nimbus AI"', PhraseClause("Nimbus AI", frozenset({Field.ORG}))),
        ("title:agent", WordClause(("agent",), frozenset({Field.TITLE}))),
        ("note:later", WordClause(("later",), frozenset({Field.NOTE}))),
        ("TITLE:Agent", WordClause(("agent",), frozenset({Field.TITLE}))),
    ],
)
def test_filters(text: str, clause: object) -> None:
    assert parse_query(text).clauses == (clause,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("foo:bar", "unknown filter 'foo:'"),
        ("is:banana", "unknown value 'is:banana'"),
        ("is:re", "unknown value 'is:re'"),  # read or... no: 're' is only 'read'
        ("has:abstract", "unknown value 'has:abstract'"),
        ("year:24", "bad year filter"),
        ("year:>=20x4", "bad year filter"),
    ],
)
def test_bad_filters_are_one_line_errors(text: str, message: str) -> None:
    if text == "is:re":
        assert parse_query(text).clauses == (StatusClause(Status.READ),)
        return
    with pytest.raises(QueryError) as info:
        parse_query(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_colon_words_are_words_and_blank_queries_are_empty() -> None:
    assert parse_query("Scaling:").clauses == (WordClause(("scaling",)),)
    assert parse_query("").is_empty
    assert parse_query("   ").is_empty
    assert parse_query("& ++").is_empty  # no letters or digits: nothing asked


def _w(word: str, negated: bool = False) -> WordClause:
    return WordClause((word,), negated=negated)


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        (
            "(diffusion OR transformer) -survey",
            (AnyOf((_w("diffusion"), _w("transformer"))), _w("survey", True)),
        ),
        ("-(a OR b)", (AnyOf((_w("a"), _w("b")), negated=True),)),
        # AND binds tighter than OR; side by side is AND.
        ("a b OR c", (AnyOf((AllOf((_w("a"), _w("b"))), _w("c"))),)),
        ("a OR b c", (AnyOf((_w("a"), AllOf((_w("b"), _w("c"))))),)),
        ("a (b OR c) d", (_w("a"), AnyOf((_w("b"), _w("c"))), _w("d"))),
        ("(a b)", (AllOf((_w("a"), _w("b"))),)),
        ("((a))", (_w("a"),)),
        ("-(-a)", (_w("a"),)),
        ("--a", (_w("a"),)),
        (
            "is:read OR is:starred",
            (AnyOf((StatusClause(Status.READ), StarredClause())),),
        ),
        ("a or b", (_w("a"), _w("or"), _w("b"))),  # lower-case "or" is a word
        ("f(x)", (_w("f"), _w("x"))),
    ],
)
def test_or_and_parentheses(text: str, clauses: tuple[object, ...]) -> None:
    assert parse_query(text).clauses == clauses


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("org:", "'org:' needs a value"),
        ("title:", "'title:' needs a value"),
        ("note:", "'note:' needs a value"),
        ("is:", "'is:' needs a value"),
        ("year:", "'year:' needs a value"),
        ('org:""', "'org:' needs a value"),
        ("diffusion org: x", "'org:' needs a value"),
        ("-", "'-' must be followed"),
        ("diffusion -", "'-' must be followed"),
        ("- diffusion", "'-' must be followed"),
        ("(a -)", "'-' must be followed"),
        ("-&", "nothing to exclude"),
        ("()", "empty ()"),
        ("a ( ) b", "empty ()"),
        ("(&)", "empty ()"),
        ('"open end', "unterminated quote"),
        ('org:"Nimbus', "unterminated quote"),
        ("(diffusion OR video", "unclosed '('"),
        ("((a)", "unclosed '('"),
        ("a)", "unmatched ')'"),
        ("(a))", "unmatched ')'"),
        ("OR a", "OR needs a term on each side"),
        ("a OR", "OR needs a term on each side"),
        ("a OR OR b", "OR needs a term on each side"),
        ("(OR)", "OR needs a term on each side"),
        ("-OR a", "'-' must be followed"),
        ("(" * 40 + "a" + ")" * 40, "too many nested parentheses"),
        ("x " * 4001, "query too long"),
    ],
)
def test_malformed_queries_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_a_new_filter_is_one_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """``tag:`` (issue 17) will be one entry in FILTERS: the parser needs nothing else."""
    from readq.search import query as query_module

    monkeypatch.setitem(
        query_module.FILTERS, "tag", lambda value, quoted: WordClause((value,), frozenset())
    )
    assert parse_query("tag:a OR tag:b").clauses == (
        AnyOf((WordClause(("a",), frozenset()), WordClause(("b",), frozenset()))),
    )


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_text_is_a_query_or_a_query_error(text: str) -> None:
    try:
        parse_query(text)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ['"', "-", ":", "is:", "org:", "year:", "title:", "x", " ", "é", "2024", ">=", "_"]
        )
    ).map("".join)
)
def test_operator_soup_is_a_query_or_a_query_error(text: str) -> None:
    with contextlib.suppress(QueryError):
        parse_query(text)


_SOUP = st.sampled_from(
    [
        *['"', "-", ":", "is:", "org:", "year:", "title:", "x", " ", "é", "2024", ">=", "_"],
        *["(", ")", " OR ", "OR", "or", "llm", "has:n", "is:r", "note:", '"a b"', "ß", "İ"],
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(_SOUP).map("".join)))
def test_rendered_queries_parse_back_to_the_same_query(text: str) -> None:
    """parse(render(q)) == q for every query that parses (the CLI adds its options to a
    parsed query through the renderer)."""
    try:
        query = parse_query(text)
    except QueryError:
        return
    assert parse_query(render_nodes(query.clauses)) == query
