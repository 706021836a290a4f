"""The search engine on a small fictional library: every operator, the ranking rules, lazy
results, highlights, refresh after changes, cancellation."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from readq.models import ScrapedPaper, SortKey, Source, Status
from readq.search import (
    QueryError,
    SearchCancelled,
    SearchEngine,
    Selection,
    search,
    select_ids,
)
from readq.store import Store

PAPERS = [
    # id 1
    ScrapedPaper(
        "Diffusion Models for Video Generation",
        "We train a cascade of denoisers for short clips and evaluate temporal coherence.",
        published="2024-03-01",
        upvotes=10,
        org="Nimbus AI",
    ),
    # id 2
    ScrapedPaper(
        "Efficient Transformers at Scale",
        "Low-rank LoRA adapters make fine-tuning cheap; we study their rank.",
        published="2023-05-02",
        upvotes=50,
        authors=4,
    ),
    # id 3
    ScrapedPaper(
        "A Survey of Retrieval Systems",
        "We also discuss diffusion of ideas between retrieval and ranking communities.",
        published="2022-01-01",
        upvotes=5,
    ),
    # id 4
    ScrapedPaper(
        "Differentiable Rendering with Gaussian Splatting",
        "Flow Matching is used to train the appearance model; matching flow is not enough.",
        published="2024-07-09",
        upvotes=30,
    ),
    # id 5
    ScrapedPaper(
        "LoRA Revisited: Low-Rank Adaptation for Vision Models",
        "A careful look at adapters for image classification.",
        org="Kestrel Labs",
        upvotes=None,
    ),
    # id 6
    ScrapedPaper(
        "Difusion Misspelled in Titles Happens Sometimes",
        "A paper about spelling in titles of papers.",
        published="2023-11-30",
        upvotes=1,
    ),
    # id 7
    ScrapedPaper(
        "Videos of Robots Learning Manipulation Skills",
        "Robotic manipulation from demonstration clips.",
        published="2024-01-15",
        upvotes=7,
    ),
    # id 8
    ScrapedPaper(
        "Video Prediction with Recurrent Networks",
        "We predict future frames.",
        published="2021-06-01",
        upvotes=2,
    ),
]


@pytest.fixture
def library(store: Store) -> Store:
    store.ingest(PAPERS, Source("fixture", "fixture.txt", "2025-01-01"), "test")
    return store


@pytest.fixture
def engine(library: Store) -> Iterator[SearchEngine]:
    engine = SearchEngine.load(library)
    yield engine
    engine.close()


def ids(engine: SearchEngine, query: str, sort: SortKey = SortKey.RELEVANCE) -> list[int]:
    return list(engine.search(query, sort=sort))


# ------------------------------------------------------------------ free words
def test_typos_prefixes_and_case(engine: SearchEngine) -> None:
    assert 1 in ids(engine, "difusion")
    assert 2 in ids(engine, "trasnformers")
    assert set(ids(engine, "lora")) == {2, 5}
    assert 1 in ids(engine, "diff")
    assert 4 in ids(engine, "diff")  # Differentiable


def test_every_word_must_match_in_any_order(engine: SearchEngine) -> None:
    assert ids(engine, "video diffusion") == [1]
    assert ids(engine, "diffusion video") == [1]
    assert ids(engine, "nimbus cascade") == [1]  # organisation + abstract
    assert ids(engine, "diffusion nothinglikethis") == []


def test_short_prefixes_do_not_reach_abstracts(engine: SearchEngine) -> None:
    # "cas" is a prefix of "cascade" (abstract only): too short for abstracts.
    assert ids(engine, "cas") == []
    assert ids(engine, "casc") == [1]


def test_phrase_must_appear_as_written(engine: SearchEngine) -> None:
    assert ids(engine, '"flow matching"') == [4]
    assert ids(engine, '"FLOW   matching is"') == [4]
    assert ids(engine, '"matching flow"') == [4]  # also written that way in 4
    assert ids(engine, '"flow is matching"') == []
    assert ids(engine, '"splat"') == [4]  # inside a word


def test_exclusion(engine: SearchEngine) -> None:
    assert 1 not in ids(engine, "diffusion -video")
    assert 3 in ids(engine, "diffusion -video")
    assert 4 not in ids(engine, '-"flow matching"')
    assert 2 not in ids(engine, "-lora")


# ------------------------------------------------------------------- filters
def test_status_star_and_note_filters(library: Store, engine: SearchEngine) -> None:
    assert len(ids(engine, "is:new")) == len(PAPERS)
    library.set_status([2], Status.READ)
    library.set_status([3], Status.TO_READ)
    library.set_starred([4], True)
    library.save_note(5, "read this on the gondola")
    assert engine.refresh()
    assert ids(engine, "is:read") == [2]
    assert ids(engine, "is:to-read") == [3]
    assert ids(engine, "is:starred") == [4]
    assert ids(engine, "has:note") == [5]
    assert ids(engine, "note:gondola") == [5]
    assert ids(engine, "gondloa") == [5]  # typo in a note
    assert 2 not in ids(engine, "-is:read")
    assert not engine.refresh()  # nothing new


def test_update_state_applies_at_once(engine: SearchEngine) -> None:
    engine.update_state(1, status=Status.READ, starred=True, note="good baseline")
    assert ids(engine, "is:read is:starred has:note") == [1]
    assert ids(engine, "baseline") == [1]
    engine.update_state(1, note="")
    assert ids(engine, "baseline") == []
    assert ids(engine, "has:note") == []
    assert ids(engine, "is:read is:starred -has:note") == [1]


def test_field_filters(engine: SearchEngine) -> None:
    assert ids(engine, "org:nimbus") == [1]
    assert ids(engine, 'org:"kestrel labs"') == [5]
    assert ids(engine, "title:lora") == [5]  # 2 has LoRA only in its abstract
    assert ids(engine, "title:diffusion") == [1, 6]  # exact beats typo
    assert set(ids(engine, "year:2024")) == {1, 4, 7}
    assert set(ids(engine, "year:>=2024")) == {1, 4, 7}
    assert set(ids(engine, "year:<2023")) == {3, 8}
    assert set(ids(engine, "year:<=2023")) == {2, 3, 6, 8}
    assert set(ids(engine, "year:>2023 video")) == {1, 7}
    assert 5 not in ids(engine, "year:<3000")  # no date


def test_unknown_filter_is_an_error(engine: SearchEngine) -> None:
    with pytest.raises(QueryError, match="unknown filter 'foo:'"):
        engine.search("diffusion foo:bar")


def test_views(library: Store, engine: SearchEngine) -> None:
    library.set_status([1, 2], Status.READ)
    library.set_starred([2, 3], True)
    engine.refresh()
    assert set(engine.search("", view=Status.READ)) == {1, 2}
    assert set(engine.search("", view="starred")) == {2, 3}
    assert list(engine.search("lora", view=Status.READ)) == [2]
    counts = engine.search("lora").counts()
    assert counts.total == 2 and counts.by_status[Status.READ] == 1 and counts.starred == 1
    stats = engine.counts()
    assert stats.total == 8 and stats.by_status[Status.NEW] == 6 and stats.starred == 2


# ------------------------------------------------------------------- ordering
@pytest.mark.parametrize("sort", list(SortKey))
def test_empty_query_lists_everything_in_sort_order(
    library: Store, engine: SearchEngine, sort: SortKey
) -> None:
    expected = [p.id for p in library.list_papers(sort=sort)]
    assert ids(engine, "", sort) == expected


def test_title_beats_abstract_and_exact_beats_typo(engine: SearchEngine) -> None:
    # 1: exact word in title; 6: typo in title; 3: exact word only in the abstract.
    assert ids(engine, "diffusion") == [1, 6, 3]


def test_whole_word_beats_prefix(engine: SearchEngine) -> None:
    # 8 and 1 have "Video" in the title, 7 has "Videos" (a prefix match).
    assert ids(engine, "video") == [8, 1, 7]


def test_ties_are_newest_first_under_relevance(engine: SearchEngine) -> None:
    assert ids(engine, "video generation")[0] == 1
    assert ids(engine, "lora") == [5, 2]  # 5 title; 2 abstract
    assert ids(engine, "adapters") == [5, 2]  # both in the abstract: newest first


def test_better_matches_first_and_ties_keep_the_chosen_sort(engine: SearchEngine) -> None:
    # "video": a whole title word in 1 (10 upvotes) and 8 (2 upvotes), a prefix in 7 ("Videos").
    assert ids(engine, "video", SortKey.UPVOTES) == [1, 8, 7]
    assert ids(engine, "video", SortKey.ADDED) == [1, 8, 7]  # one ingest: page order
    assert ids(engine, "video", SortKey.PUBLISHED) == [1, 8, 7]
    assert ids(engine, "video", SortKey.TITLE) == [1, 8, 7]
    # Without words to rank, a filter-only query is in the chosen order.
    assert ids(engine, "year:>=2024", SortKey.UPVOTES) == [4, 1, 7]


def test_result_is_a_lazy_sequence(engine: SearchEngine) -> None:
    result = engine.search("")
    assert len(result) == 8
    assert result[0] == 8 and result[-1] == 1
    assert result[2:4] == [6, 5]
    assert 3 in result and 99 not in result
    assert result.index(6) == 2
    assert list(result.ids) == list(range(8, 0, -1))


# ----------------------------------------------------------------- highlights
def test_highlights(engine: SearchEngine) -> None:
    result = engine.search('diff "temporal coherence"')
    hl = result.highlights(1)
    title = PAPERS[0].title
    assert [title[a:b] for a, b in hl.title_spans] == ["Diff"]
    assert [hl.snippet[a:b] for a, b in hl.snippet_spans] == ["temporal coherence"]
    hl = engine.search("lora").highlights(2, title="Efficient Transformers at Scale")
    assert [hl.snippet[a:b] for a, b in hl.snippet_spans] == ["LoRA"]
    hl = engine.search("difusion").highlights(1)
    assert [PAPERS[0].title[a:b] for a, b in hl.title_spans] == ["Diffusion"]


def test_snippet_is_cut_around_the_first_match() -> None:
    from readq.search.matching import Matcher, make_highlights

    abstract = "word " * 100 + "target here " + "tail " * 100
    hl = make_highlights([Matcher("target", frozenset())], "T", abstract)
    assert hl.snippet.startswith("…") and hl.snippet.endswith("…")
    assert len(hl.snippet) <= 242
    assert [hl.snippet[a:b] for a, b in hl.snippet_spans] == ["target"]


# -------------------------------------------------------------------- refresh
def test_refresh_picks_up_new_and_renamed_papers(library: Store, engine: SearchEngine) -> None:
    library.ingest(
        [ScrapedPaper("Quokka Networks for Diffusion", "Marsupial inspired layers.")],
        Source("more", "more.txt", "2025-01-02"),
        "test",
    )
    assert ids(engine, "quokka") == []
    assert engine.refresh()
    assert ids(engine, "quokka") == [9]
    assert ids(engine, "diffusion")[:2] == [9, 1]  # title exact, newest first
    library.rename(8, "Wombat Forecasting")
    assert engine.refresh()
    assert ids(engine, "wombat") == [8]
    assert 8 not in ids(engine, "video")
    assert ids(engine, "title:recurrent") == []
    assert ids(engine, "predict") == [8]  # abstract kept


def test_cancellation(engine: SearchEngine) -> None:
    with pytest.raises(SearchCancelled):
        engine.search("diffusion", is_cancelled=lambda: True)


def test_one_shot_search(library: Store) -> None:
    assert search(library, "lora", SortKey.RELEVANCE, limit=1) == [5]
    assert select_ids(library, Selection(query="video", sort=SortKey.ADDED)) == [1, 8, 7]
    with pytest.raises(QueryError):
        search(library, "nope:x")


def test_search_does_not_import_textual() -> None:
    code = "import sys, readq.search; assert 'textual' not in sys.modules, 'textual imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_close_waits_for_a_thread_using_the_connection(library: Store) -> None:
    """A cache save holds the engine's lock while it reads the library; closing the
    connection under it crashed readq (SIGSEGV) at quit and on SIGTERM."""
    import sqlite3
    import threading
    import time

    engine = SearchEngine.load(library)
    holding = threading.Event()
    release_at: list[float] = []

    def save_like() -> None:
        with engine._lock:
            holding.set()
            time.sleep(0.3)
            engine._reader.conn.execute("SELECT count(*) FROM papers").fetchone()
            release_at.append(time.monotonic())

    thread = threading.Thread(target=save_like)
    thread.start()
    holding.wait(5)
    engine.close()
    closed_at = time.monotonic()
    thread.join(5)
    assert release_at and closed_at >= release_at[0]
    with pytest.raises(sqlite3.ProgrammingError):
        engine._reader.conn.execute("SELECT 1")
