"""Parsing ``tag:`` and ``has:tag``: keys are casefolded, a trailing ``/`` is the same tag,
bad values are one-line errors, and rendering parses back to the same clause."""

from __future__ import annotations

import pytest

from readq.search.query import (
    HasNoteClause,
    HasTagClause,
    QueryError,
    TagClause,
    parse_query,
    render_nodes,
)


@pytest.mark.parametrize(
    ("text", "clause"),
    [
        ("tag:Project/Avatars", TagClause("project/avatars")),
        ("tag:project/", TagClause("project")),
        ('tag:"ÜberTag"', TagClause("übertag")),
        ("-tag:survey", TagClause("survey", negated=True)),
        ("has:tag", HasTagClause()),
        ("has:t", HasTagClause()),
        ("has:tags", HasTagClause()),
        ("has:n", HasNoteClause()),
    ],
)
def test_tag_filters_parse(text: str, clause: object) -> None:
    parsed = parse_query(text)
    assert parsed.clauses == (clause,)
    assert parse_query(render_nodes(parsed.clauses)).clauses == parsed.clauses


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tag:", "'tag:' needs a value, e.g. tag:project"),
        ("tag:/", "nothing to search for in 'tag:/'"),
        ("has:x", "unknown value 'has:x' (expected has:note or has:tag)"),
    ],
)
def test_bad_tag_filters_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_query(text)
