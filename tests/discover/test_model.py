"""The discover model on a hand-made library (:mod:`discoverlib`): related papers follow the
whole text (the two meanings of "transformer" stay apart), the recommended order puts a
starred topic first and sinks a topic read without a star, waits for enough stars, and every
paper carries the features that weigh most for it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from support.discoverlib import build

from readq.discover import MIN_POSITIVES, Discover
from readq.discover.model import AuthorsAndCategories
from readq.models import ScrapedPaper, SortKey, Source, Status
from readq.search.engine import SearchEngine
from readq.store import Store


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[tuple[Store, SearchEngine, dict[str, list[int]]]]:
    store, ids = build(tmp_path / "lib" / "readq.db")
    engine = SearchEngine.load(store)
    try:
        yield store, engine, ids
    finally:
        engine.close()
        store.close()


def _star(store: Store, engine: SearchEngine, ids: Sequence[int]) -> None:
    store.set_starred(ids, True)
    for pid in ids:
        engine.update_state(pid, starred=True)


def _read(store: Store, engine: SearchEngine, ids: Sequence[int]) -> None:
    store.set_status(ids, Status.READ)
    for pid in ids:
        engine.update_state(pid, status=Status.READ)


def test_related_follows_the_whole_text_not_one_ambiguous_word(lib) -> None:  # type: ignore[no-untyped-def]
    _store, engine, ids = lib
    model = Discover(engine, engine.reader)
    # The attention paper says "transformer"; so do two power-grid papers.
    found = [s.paper_id for s in model.related(ids["language"][0], 10)]
    others = set(ids["language"][1:])
    assert set(found[:4]) == others  # every other language paper before any power paper
    assert not set(found) & set(ids["birds"])
    found = [s.paper_id for s in model.related(ids["power"][0], 10)]
    assert set(found[:4]) == set(ids["power"][1:])


def test_related_explains_each_paper_and_skips_the_trash(lib) -> None:  # type: ignore[no-untyped-def]
    store, engine, ids = lib
    model = Discover(engine, engine.reader)
    first = model.related(ids["birds"][0], 3)
    assert first and all(s.because for s in first)
    assert all(s.score > 0 for s in first)
    assert {"finches", "colony"} & {w for s in first for w in s.because}
    gone = first[0].paper_id
    store.trash([gone])
    engine.set_trashed([gone], True)
    assert gone not in [s.paper_id for s in model.related(ids["birds"][0], 10)]


def test_a_starred_topic_comes_first_and_a_read_topic_sinks(lib) -> None:  # type: ignore[no-untyped-def]
    store, engine, ids = lib
    model = Discover(engine, engine.reader)
    _star(store, engine, ids["power"][:3])
    _read(store, engine, ids["birds"][:2])
    ranking = model.ranking()
    assert ranking.ready and ranking.message == ""
    order = [engine.ids[d] for d in ranking.order]
    unlabelled = [p for p in order if p not in ids["power"][:3] + ids["birds"][:2]]
    assert set(unlabelled[:2]) == set(ids["power"][3:])  # the rest of the starred topic first
    birds_left = ids["birds"][2:]
    language = ids["language"]
    # The topic read without a star comes after the untouched one.
    assert max(unlabelled.index(p) for p in language) < min(unlabelled.index(p) for p in birds_left)
    # The engine sorts by it, and every ranked paper says why.
    result = engine.search("", sort=SortKey.RECOMMENDED, view=Status.NEW)
    assert list(result)[:5] == [p for p in order if p not in ids["birds"][:2]][:5]
    explained = model.recommended(ids["power"][3:])
    assert all(s.because for s in explained)


def test_before_enough_stars_it_is_date_order_and_says_how_many(lib) -> None:  # type: ignore[no-untyped-def]
    store, engine, ids = lib
    model = Discover(engine, engine.reader)
    _star(store, engine, ids["power"][:1])
    ranking = model.ranking()
    assert not ranking.ready and ranking.needed == MIN_POSITIVES - 1
    assert "star 2 more papers" in ranking.message
    assert list(ranking.order) == list(engine.order(SortKey.ADDED))
    result = engine.search("", sort=SortKey.RECOMMENDED)
    assert list(result) == [engine.ids[d] for d in engine.order(SortKey.ADDED)]
    assert model.recommended(ids["power"][1:2])[0].because == ()


def test_a_mark_re_ranks_and_not_interested_goes_last(lib) -> None:  # type: ignore[no-untyped-def]
    store, engine, ids = lib
    model = Discover(engine, engine.reader)
    _star(store, engine, ids["power"][:3])
    first = model.ranking()
    assert model.ranking() is first  # nothing changed: not recomputed
    target = ids["power"][3]
    store.set_dismissed([target], True)
    second = model.ranking()
    assert second is not first
    order = [engine.ids[d] for d in second.order]
    assert order[-1] == target
    _star(store, engine, ids["language"][:3])
    third = model.ranking()
    assert third is not second and any(w in third.profile for w in ("attention", "language"))


def test_authors_and_categories_relate_papers(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "a.db")
    papers = [
        ScrapedPaper(
            "Quiet lanterns",
            "Lanterns glow softly.",
            author_names=("Ada Quill",),
            categories=("cs.LG",),
        ),
        ScrapedPaper("Moss tables", "Tables of moss grow.", author_names=("Ada Quill",)),
        ScrapedPaper("Velvet routers", "Routers hum in orbit.", author_names=("Bo Stone",)),
        ScrapedPaper("Orbit kites", "Kites drift.", categories=("cs.LG",)),
    ]
    store.ingest(papers, Source("s", "/s", "2026-01-01"), "hf")
    engine = SearchEngine.load(store)
    try:
        model = Discover(engine, engine.reader)
        found = model.related(1, 5)
        assert [s.paper_id for s in found] == [2, 4] or [s.paper_id for s in found] == [4, 2]
        reasons = {w for s in found for w in s.because}
        assert "author: ada quill" in reasons and "category: cs.lg" in reasons
        source = AuthorsAndCategories()
        assert list(source.of_papers(store, [3])) == [(3, "author:bo stone")]
        shared = {f: sorted(ids) for f, ids in source.shared(store)}
        assert shared == {"author:ada quill": [1, 2], "category:cs.lg": [1, 4]}
    finally:
        engine.close()
        store.close()


def test_a_feature_source_plugs_in_tags(lib) -> None:  # type: ignore[no-untyped-def]
    """The hook the tags table uses: a source of ``tag:`` features relates papers sharing a
    tag even when their words do not."""
    _store, engine, ids = lib
    tagged = {ids["birds"][0], ids["power"][4]}

    class Tags:
        def of_papers(self, _store: Store, wanted: Sequence[int]) -> Iterator[tuple[int, str]]:
            return ((pid, "tag:fieldwork") for pid in tagged if pid in wanted)

        def shared(self, _store: Store) -> Iterator[tuple[str, Sequence[int]]]:
            yield "tag:fieldwork", sorted(tagged)

    model = Discover(engine, engine.reader, sources=[AuthorsAndCategories(), Tags()])
    found = model.related(ids["birds"][0], 15)
    hit = next(s for s in found if s.paper_id == ids["power"][4])
    assert "tag: fieldwork" in hit.because
    plain = Discover(engine, engine.reader)
    assert ids["power"][4] not in [s.paper_id for s in plain.related(ids["birds"][0], 15)]
