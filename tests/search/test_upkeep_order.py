"""The index kept up to date by the writers (``readq.search.upkeep``) orders results exactly as
a fresh build does: every sort (the list's default "added" and "read" included), both
directions, and papers of equal rank (many papers share a score and an ingest time).

Why: the end-to-end benchmark compares what the TUI shows right after ``readq ingest`` (the
upkeep path) with an oracle that builds the index afresh; any difference in the order of
equally-ranked papers makes the two disagree on the first row.
"""

from __future__ import annotations

from readq.models import ScrapedPaper, SortKey, Source, Status
from readq.search import SearchEngine, cache, upkeep
from readq.store import Store

QUERIES = ["", "diffusion", "difusion", "diff", "lantern", "diffusion -lantern", "org:quarry"]
"""Every paper of a batch has the same words, so each query's answer is mostly ties."""


SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi"]


def made_up_name(number: int) -> str:
    """A distinct word for each number (``kaka``, ``kalo``, ...): titles differ, ranks do not."""
    return "".join(SYLLABLES[int(d)] for d in f"{number:03o}")


def batch(start: int, count: int, *, word: str) -> list[ScrapedPaper]:
    """``count`` fictional papers that differ only by a made-up name: equal rank for the
    queries above."""
    return [
        ScrapedPaper(
            title=f"{made_up_name(start + i).title()}: Diffusion for {word}s",
            abstract=f"We present {made_up_name(start + i)}, a made-up study of {word}s.",
            published="2025-03-01" if i % 3 else None,
            upvotes=i % 4 if i % 5 else None,
            org="Quarry Institute",
            urls=(f"https://example.org/tie/{start + i}",),
        )
        for i in range(count)
    ]


def every_order(engine: SearchEngine) -> dict[str, list[int]]:
    """Each query's ids in every sort, both directions, in the inbox and in all papers."""
    out: dict[str, list[int]] = {}
    for query in QUERIES:
        for sort in SortKey:
            for reverse in (False, True):
                for view in (None, Status.NEW):
                    result = engine.search(query, sort=sort, view=view, reverse=reverse)
                    out[f"{query}|{sort.value}|{reverse}|{view}"] = list(result)
    return out


def test_the_upkeep_path_orders_ties_as_a_fresh_build(store: Store) -> None:
    upkeep.prepare(store)
    for number, word in enumerate(("lantern", "garden", "lantern")):
        source = Source("tie", f"tie-{number}.txt", f"2025-01-0{number + 1}T00:00:00")
        store.ingest(batch(number * 40, 40, word=word), source, "test")
        assert upkeep.update(store).outcome is upkeep.Outcome.CAUGHT_UP
    store.set_status([3, 50], Status.READ)
    store.set_status([4], Status.TO_READ)

    kept = cache.load(store)
    assert kept is not None
    fresh = SearchEngine.load(store)
    try:
        got, want = every_order(kept), every_order(fresh)
        assert got == want
        # Ties were exercised: the first ingest's papers share one rank and one ingest time.
        assert len(want["diffusion|added|False|None"]) == 120
    finally:
        kept.close()
        fresh.close()
