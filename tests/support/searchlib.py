"""Fictional libraries for the search tests: random papers over a small vocabulary, and every
answer a user could see from an engine (compared between a fresh and a loaded index)."""

from __future__ import annotations

import random
from pathlib import Path

from readq.models import ScrapedPaper, SortKey, Status
from readq.paths import search_cache_path
from readq.search import SearchEngine, cache
from readq.search.build import Collect, Part, compact_last_part
from readq.store import Store

WORDS = [
    "diffusion",
    "transformer",
    "attention",
    "lora",
    "adapter",
    "video",
    "retrieval",
    "ranking",
    "graph",
    "neural",
    "network",
    "robot",
    "manipulation",
    "policy",
    "reward",
    "sparse",
    "dense",
    "vision",
    "language",
    "model",
    "token",
    "quantum",
    "kernel",
    "spline",
    "flow",
    "matching",
    "gaussian",
    "splatting",
    "rendering",
    "benchmark",
    "dataset",
    "scaling",
    "efficient",
    "memory",
    "inference",
    "latency",
    "distillation",
    "pruning",
    "ñandú",
    "über",
    "café",
]
ORGS = ["Nimbus AI", "Kestrel Labs", "Óptica", None]


def make_papers(count: int, seed: int = 3) -> list[ScrapedPaper]:
    rng = random.Random(seed)
    papers = []
    for i in range(count):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))).title()
        abstract = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))) + "."
        year = rng.choice([None, 2021, 2022, 2023, 2024])
        papers.append(
            ScrapedPaper(
                f"{title} {i}",
                abstract,
                published=f"{year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}" if year else None,
                upvotes=rng.choice([None, *range(40)]),
                org=rng.choice(ORGS),
            )
        )
    return papers


QUERIES = [
    "",
    "diffusion",
    "difusion",
    "diff",
    "lora adapter",
    "trasnformer",
    '"neural network"',
    "-video",
    "is:read",
    "is:to-read",
    "is:starred",
    "has:note",
    "org:nimbus",
    "title:graph",
    "note:gondola",
    "gondola",
    "year:>=2023",
    "ñandú",
    "cafe",
    "wombat",
    "z",
    "d",
    "w",
    "q",
    "ñ",
    "a",
]
SORTS = [SortKey.RELEVANCE, SortKey.PUBLISHED, SortKey.UPVOTES, SortKey.TITLE]
VIEWS: list[object] = [None, Status.NEW, Status.READ, "starred"]


def answers(engine: SearchEngine) -> dict[str, object]:
    """Everything a user could see from the engine."""
    out: dict[str, object] = {"counts": engine.counts(), "len": len(engine)}
    for query in QUERIES:
        for sort in SORTS:
            for view in VIEWS:
                result = engine.search(query, sort=sort, view=view)  # type: ignore[arg-type]
                got = list(result)
                out[f"{query}|{sort}|{view}"] = (got, result.counts())
        result = engine.search(query)
        first = list(result)[:5]
        out[f"{query}|hl"] = [result.highlights(pid) for pid in first]
    return out


def same_index(a: SearchEngine, b: SearchEngine) -> None:
    """Assert two engines hold the same index and per-paper state (postings of every field,
    bit sets, columns, sort orders)."""
    sa, sb = a._state, b._state
    for field, postings in sa.index.main.items():
        assert dict(postings) == dict(sb.index.main[field])
    assert sa.ids == sb.ids and sa.status == sb.status and sa.starred == sb.starred
    assert sa.year == sb.year and sa.hash == sb.hash and sa.sort_hash == sb.sort_hash
    assert sa.notes == sb.notes and sa.year_bits == sb.year_bits
    assert sa.status_bits == sb.status_bits and sa.note_bits == sb.note_bits
    assert sa.alive == sb.alive and sa.last_updated == sb.last_updated
    assert a._sort_orders.computed == b._sort_orders.computed


def finished(part: Part | None) -> Collect:
    """A split scan's other process that is already done and returns ``part``."""

    def collect(*, abort: bool = False) -> Part | None:
        return None if abort else part

    return collect


def scanned_part(store: Store, split_id: int, first_doc: int, *, compact: bool = True) -> Collect:
    """What a split scan's other process returns (:func:`readq.search.cache._part_main`),
    computed here on a reader of ``store``: the papers from ``split_id`` as documents from
    ``first_doc``, compacted as that process compacts them unless ``compact`` is False."""
    reader = store.open_reader()
    try:
        part = SearchEngine.scan_part(reader, split_id, first_doc)
    finally:
        reader.close()
    if compact:
        compact_last_part(part)
    return finished(part)


def fresh(store: Store) -> dict[str, object]:
    """Every answer of an index built from scratch for ``store``'s library."""
    engine = SearchEngine.load(store)
    try:
        return answers(engine)
    finally:
        engine.close()


def saved(store: Store) -> Path:
    """Build ``store``'s index and save it where readq looks for it; the saved file."""
    engine = SearchEngine.load(store)
    try:
        assert cache.save(engine)
    finally:
        engine.close()
    path = search_cache_path(Path(store.path))
    assert path.is_file()
    return path


def check_same_as_fresh(store: Store) -> None:
    """The saved index of ``store``'s library loads, and answers every query as a fresh build."""
    engine = cache.load(store)
    assert engine is not None, "the cache should have been usable"
    try:
        assert answers(engine) == fresh(store)
    finally:
        engine.close()
