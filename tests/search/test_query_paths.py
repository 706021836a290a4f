"""Every query of the README's table answered by every path, compared by ids: the index
(``SearchEngine``), the exact SQL evaluation (``readq.search.sql``, the TUI's answer while the
index loads) and the CLI (``readq list --query``, ``readq export --query``).

The library is fictional and made so that its words never occur inside other words: there,
substring matching (SQL) and word matching (the index) must agree exactly. Typo rows are
index-only (the SQL path has no typo tolerance; the TUI says so) and say so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readq.cli import cli
from readq.models import ScrapedPaper, SortKey, Source, Status
from readq.search import SearchEngine, Selection, parse_query, select_ids
from readq.search import sql as query_sql
from readq.store import Store

PAPERS = [
    # 1
    ScrapedPaper(
        "Diffusion Models for Video Generation",
        "We train a cascade of denoisers for short clips.",
        published="2024-03-01",
        org="Nimbus AI",
    ),
    # 2
    ScrapedPaper(
        "Efficient Transformers at Scale",
        "LoRA adapters make fine-tuning cheap for LLMs.",
        published="2023-05-02",
    ),
    # 3
    ScrapedPaper(
        "A Survey of Diffusion Samplers",
        "We review samplers and schedules.",
        published="2022-01-01",
    ),
    # 4
    ScrapedPaper(
        "Flow Matching for Protein Design",
        "Flow matching is trained on structures; matching flow is not enough.",
        published="2024-07-09",
        org="Kestrel Labs",
    ),
    # 5
    ScrapedPaper(
        "Sparse Autoencoders Find Features",
        "We train SAEs on the activations of a transformer.",
        published="2025-02-10",
    ),
    # 6
    ScrapedPaper(
        "Spelling Mistakes in a Title", "About spelling in titles.", published="2023-11-30"
    ),
    # 7
    ScrapedPaper("Robots Learning Manipulation from Video", "Demonstration clips teach grasping."),
    # 8
    ScrapedPaper(
        "An LLM Agent for Spreadsheets",
        "The agent edits cells.",
        published="2024-12-01",
        org="Nimbus AI",
    ),
    # 9
    ScrapedPaper(
        "Transformer Survey for Vision", "A survey of vision backbones.", published="2021-06-01"
    ),
    # 10
    ScrapedPaper(
        "Latent Video Diffusion with Transformer Backbones",
        "A transformer denoises latent clips.",
        published="2025-01-05",
    ),
    # 11
    ScrapedPaper("LoRA for Speech Models", "Adapters for speech.", published="2023-02-02"),
    # 12
    ScrapedPaper(
        "Über Attention im Kontext", "Schätzung von Aufmerksamkeit.", published="2024-04-04"
    ),
]
ALL = frozenset(range(1, len(PAPERS) + 1))


def _except(*ids: int) -> frozenset[int]:
    return ALL - set(ids)


# (query, expected ids, index only: the SQL path is not expected to agree)
ROWS: list[tuple[str, frozenset[int], bool]] = [
    # README: words in any field, any order
    ("diffusion video", frozenset({1, 10}), False),
    ("video diffusion", frozenset({1, 10}), False),
    # README: typos (index only)
    ("difusion", frozenset({1, 3, 10}), True),
    ("trasnformer", frozenset({2, 5, 9, 10}), True),
    # README: prefixes while you type
    ("diff", frozenset({1, 3, 10}), False),
    ("transf", frozenset({2, 5, 9, 10}), False),
    # README: case never matters
    ("lora", frozenset({2, 11}), False),
    ("LORA", frozenset({2, 11}), False),
    # README: phrases
    ('"flow matching"', frozenset({4}), False),
    ('"FLOW   matching"', frozenset({4}), False),
    # README: excludes
    ("-survey", _except(3, 9), False),
    ('-"flow matching"', _except(4), False),
    ("-is:read", _except(3, 7), False),
    # README: state
    ("is:new", _except(2, 3, 5, 7), False),
    ("is:to-read", frozenset({2, 5}), False),
    ("is:read", frozenset({3, 7}), False),
    ("is:starred", frozenset({2, 4}), False),
    ("has:note", frozenset({2, 4, 7}), False),
    # README: fields
    ("org:nimbus", frozenset({1, 8}), False),
    ('org:"Nimbus AI"', frozenset({1, 8}), False),
    ("title:lora", frozenset({11}), False),
    ("note:todo", frozenset({2}), False),
    ("note:later", frozenset({4}), False),
    # README: years (papers without a date never match a comparison, so -year: keeps them)
    ("year:2024", frozenset({1, 4, 8, 12}), False),
    ("year:>=2023", frozenset({1, 2, 4, 5, 6, 8, 10, 11, 12}), False),
    ("year:<2023", frozenset({3, 9}), False),
    ("year:<=2022", frozenset({3, 9}), False),
    ("year:>2024", frozenset({5, 10}), False),
    ("-year:2024", _except(1, 4, 8, 12), False),
    # OR and parentheses
    ("(diffusion OR transformer) -survey", frozenset({1, 2, 5, 10}), False),
    ("diffusion OR transformer", frozenset({1, 2, 3, 5, 9, 10}), False),
    ("-(diffusion OR video)", _except(1, 3, 7, 10), False),
    ("is:read OR is:starred", frozenset({2, 3, 4, 7}), False),
    ("(org:nimbus OR org:kestrel) year:2024", frozenset({1, 4, 8}), False),
    ("video diffusion OR lora", frozenset({1, 2, 10, 11}), False),  # AND binds tighter
    ("(video diffusion) OR (lora -title:lora)", frozenset({1, 2, 10}), False),
    ("(difusion OR agent) -year:2025", frozenset({1, 3, 8}), True),
    # acronyms: plurals and case variants
    ("llm", frozenset({2, 8}), False),
    ("LLM", frozenset({2, 8}), False),
    ("SAE", frozenset({5}), False),
    ("sae", frozenset({5}), False),
    # text beyond ASCII
    ("ÜBER", frozenset({12}), False),
    ('"über attention"', frozenset({12}), False),
    ("schätzung", frozenset({12}), False),
    # read dates (papers never read, or read without a date, never match a comparison)
    ("read:7d", frozenset({7}), False),
    ("read:2w", frozenset({7}), False),
    ("read:2024-06-01", frozenset({3}), False),
    ("read:>=2025-01-01", frozenset({7}), False),
    ("read:<2025-01-01", frozenset({3}), False),
    ("read:<=2024-06-01", frozenset({3}), False),
    ("read:>2024-06-01", frozenset({7}), False),
    ("-read:7d", _except(7), False),
    ("is:read -read:7d", frozenset({3}), False),
    ("read:2024-06-01 OR read:7d", frozenset({3, 7}), False),
    # tags: a name finds itself and what is below it (project/...), never a longer word
    ("tag:project", frozenset({1, 2, 10, 11}), False),
    ("tag:PROJECT/avatars", frozenset({1, 10}), False),
    ("tag:project/", frozenset({1, 2, 10, 11}), False),
    ("tag:proj", frozenset(), False),
    ("tag:projection", frozenset({3}), False),
    ("-tag:project", _except(1, 2, 10, 11), False),
    ("has:tag", frozenset({1, 2, 3, 4, 5, 10, 11}), False),
    ("-has:tag", _except(1, 2, 3, 4, 5, 10, 11), False),
    ("tag:survey OR tag:projection", frozenset({3, 4}), False),
    ("(tag:survey OR tag:projection) -is:read", frozenset({4}), False),
    ("tag:project diffusion", frozenset({1, 10}), False),
    ("tag:übertag", frozenset({5}), False),
    ('tag:"ÜBERTAG"', frozenset({5}), False),
    ("tag:nothing", frozenset(), False),
    # nothing asked: everything
    ("", ALL, False),
]
READ_RECENTLY = (datetime.now(UTC) - timedelta(days=2)).isoformat(timespec="microseconds")
"""Paper 7's read date: two days ago (``read:7d``); paper 3 was read on 2024-06-01."""


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The fictional library with states, stars and notes set as a user would."""
    path = tmp_path_factory.mktemp("paths") / "readq.db"
    store = Store.open(path)
    try:
        store.ingest(PAPERS, Source("fixture", "fixture.txt", "2025-01-01"), "test")
        store.set_status([2, 5], Status.TO_READ)
        store.set_status([3, 7], Status.READ)
        with store.write() as conn:
            conn.execute(
                "UPDATE papers SET read_at = ? WHERE id = 3", ("2024-06-01T10:00:00.000000+00:00",)
            )
            conn.execute("UPDATE papers SET read_at = ? WHERE id = 7", (READ_RECENTLY,))
        store.set_starred([2, 4], True)
        store.save_note(2, "todo compare with adapters")
        store.save_note(4, "later: reread section 3")
        store.save_note(7, "great figures")
        store.change_tags([1, 10], ["project/avatars"])
        store.change_tags([2, 11], ["Project"])
        store.change_tags([3], ["projection"])
        store.change_tags([4], ["survey"])
        store.change_tags([5], ["ÜberTag"])
    finally:
        store.close()
    yield path


@pytest.fixture(scope="module")
def engine(library: Path) -> Iterator[SearchEngine]:
    store = Store.open(library)
    loaded = SearchEngine.load(store)
    try:
        yield loaded
    finally:
        loaded.close()
        store.close()


def _cli_ids(library: Path, *args: str) -> list[int]:
    result = CliRunner().invoke(cli, ["--db", str(library), "list", "--json", *args])
    assert result.exit_code == 0, result.output
    return [paper["id"] for paper in json.loads(result.output)]


@pytest.mark.parametrize(("text", "expected", "index_only"), ROWS, ids=[r[0] or "-" for r in ROWS])
def test_every_path_answers_the_same(
    library: Path, engine: SearchEngine, text: str, expected: frozenset[int], index_only: bool
) -> None:
    index_ids = list(engine.search(text))
    assert set(index_ids) == expected
    assert len(index_ids) == len(expected)  # each paper once

    store = Store.open(library)
    try:
        sql_ids = query_sql.select_ids(store, parse_query(text))
        assert sql_ids == sorted(sql_ids)  # "added": one ingest, in the page's order
        if index_only:
            assert set(sql_ids) != expected, "a typo row the SQL path answers: make it a word row"
        else:
            assert set(sql_ids) == expected
        assert query_sql.count(store, parse_query(text)) == len(sql_ids)
    finally:
        store.close()

    # With a query the CLI lists by relevance (as ``export`` does), the index's default.
    assert _cli_ids(library, "--query", text) == index_ids if text else True
    if not text:
        assert set(_cli_ids(library)) == expected


@pytest.mark.parametrize(("view", "status"), [(Status.READ, Status.READ), ("starred", None)])
def test_views_are_clauses_on_every_path(
    library: Path, engine: SearchEngine, view: Status | str, status: Status | None
) -> None:
    text = "diffusion OR video OR lora OR transformer"
    index_ids = set(engine.search(text, view=view))  # type: ignore[arg-type]
    store = Store.open(library)
    try:
        sql_ids = set(query_sql.select_ids(store, parse_query(text), view=view))  # type: ignore[arg-type]
    finally:
        store.close()
    assert index_ids == sql_ids
    assert index_ids == ({3, 7} if status else {2})


@pytest.mark.parametrize(
    ("options", "clause"),
    [
        (["--status", "read"], "is:read"),
        (["--status", "to-read"], "is:to-read"),
        (["--starred"], "is:starred"),
        (["--not-starred"], "-is:starred"),
        (["--status", "to-read", "--starred"], "is:to-read is:starred"),
    ],
)
def test_cli_options_are_clauses_of_the_query(
    library: Path, options: list[str], clause: str
) -> None:
    """``--status``/``--starred`` with ``--query`` answer as the same clauses in the query do,
    in ``readq list`` and ``readq export``, and ``--limit`` counts after filtering."""
    text = "diffusion OR transformer OR lora OR video"
    with_options = _cli_ids(library, "--query", text, *options)
    as_query = _cli_ids(library, "--query", f"({text}) {clause}")
    assert with_options == as_query
    assert with_options  # every option row selects something
    assert _cli_ids(library, "--query", text, *options, "--limit", "1") == with_options[:1]
    if "--not-starred" not in options:  # export has --starred only
        exported = CliRunner().invoke(
            cli, ["--db", str(library), "export", "--format", "json", "--query", text, *options]
        )
        assert exported.exit_code == 0, exported.output
        assert [p["id"] for p in json.loads(exported.output)["papers"]] == as_query


def test_select_ids_answers_filters_without_the_index(
    library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query of filters only is exact in SQL: no index is loaded or built for it."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the index was built for a filter-only query")

    monkeypatch.setattr(SearchEngine, "load", refuse)
    store = Store.open(library)
    try:
        selection = Selection(query="is:read OR has:note", sort=SortKey.ADDED)
        ids = select_ids(store, selection.with_state(starred=False))
    finally:
        store.close()
    assert ids == [3, 7]  # one ingest: the page's order


@pytest.mark.parametrize(
    "text", ["org:", "title:", "-", "()", '"open', "(diffusion", "diffusion)", "a OR"]
)
def test_cli_reports_malformed_queries(library: Path, text: str) -> None:
    for command in (["list", "--query", text], ["export", "--format", "json", "--query", text]):
        result = CliRunner().invoke(cli, ["--db", str(library), *command])
        assert result.exit_code == 2, (command, result.output)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and "bad query:" in lines[0], result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize("joiner", [" ", " OR "])
def test_a_pasted_page_of_words_is_answered_on_every_path(
    library: Path, engine: SearchEngine, joiner: str
) -> None:
    """1,000 words (ANDed or ORed) are answered by each path; SQLite's expression depth
    (1000) is not reached because AND/OR are joined as balanced trees."""
    words = ["diffusion", "video", *(f"zq{i}x" for i in range(998))]
    text = joiner.join(words)
    index_ids = set(engine.search(text))
    store = Store.open(library)
    try:
        sql_ids = set(query_sql.select_ids(store, parse_query(text)))
    finally:
        store.close()
    expected = {1, 3, 7, 10} if joiner == " OR " else set()
    assert index_ids == sql_ids == expected
    assert set(_cli_ids(library, "--query", text)) == expected


_ATOMS = st.sampled_from(
    [
        *("is:new", "is:read", "is:to-read", "is:starred", "has:note"),
        *("year:2024", "year:>=2023", "year:<2023", "year:>2024", "org:nimbus", "title:lora"),
        *("note:todo", "lora", "video", "diffusion", '"flow matching"', "llm", "transf"),
    ]
)
_EXPRESSIONS = st.recursive(
    _ATOMS,
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda pair: f"({pair[0]} OR {pair[1]})"),
        st.tuples(inner, inner).map(lambda pair: f"({pair[0]} {pair[1]})"),
        inner.map(lambda text: f"-{text}"),
    ),
    max_leaves=8,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_EXPRESSIONS)
def test_any_combination_agrees_between_index_and_sql(
    library: Path, engine: SearchEngine, text: str
) -> None:
    """Each atom above selects the same papers on both paths, so every combination of them
    with OR, groups and exclusions must too: the operators mean the same everywhere."""
    store = Store.open(library)
    try:
        sql_ids = query_sql.select_ids(store, parse_query(text))
    finally:
        store.close()
    assert set(engine.search(text)) == set(sql_ids)
