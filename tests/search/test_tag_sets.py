"""The index's tag sets: read once per tag while typing, read again after any tag write
(from this connection or another process's), never stale after the index grows."""

from __future__ import annotations

from pathlib import Path

import pytest

from readq.models import ScrapedPaper, Source
from readq.search import SearchEngine, tagged
from readq.store import Store


def test_tag_sets_are_kept_until_a_tag_write(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    writer = Store.open(db_path)
    papers = [
        ScrapedPaper(f"Kettle Paper {i}", f"A fictional kettle abstract number {i}.")
        for i in range(6)
    ]
    writer.ingest(papers, Source("s", "/s", "2026-01-01"), "hf")
    writer.change_tags([1, 2], ["brew/green"])
    reads: list[object] = []
    original = tagged.paper_ids_sql

    def counted(clause: tagged.TagClause | tagged.HasTagClause) -> tuple[str, list[object]]:
        reads.append(clause)
        return original(clause)

    monkeypatch.setattr(tagged, "paper_ids_sql", counted)
    reader = writer.open_reader()
    engine = SearchEngine.load(reader)
    try:
        for text in ("tag:brew", "tag:brew k", "tag:brew kettle", "-tag:brew"):
            engine.search(text)
        assert len(reads) == 1  # one read for every keystroke of the query
        assert set(engine.search("tag:brew")) == {1, 2}
        # Another connection (as another process would) writes tags: seen at once.
        other = Store.open(db_path)
        other.change_tags([3], ["brew/black"])
        other.close()
        assert set(engine.search("tag:brew")) == {1, 2, 3}
        assert len(reads) == 2
        # A paper tagged as it arrives is found once the index has it.
        writer.ingest(
            [ScrapedPaper("Late Kettle", "A late fictional kettle abstract.")],
            Source("t", "/t", "2026-01-02"),
            "hf",
        )
        writer.change_tags([7], ["brew"])
        assert set(engine.search("tag:brew")) == {1, 2, 3}
        engine.refresh()
        assert set(engine.search("tag:brew")) == {1, 2, 3, 7}
    finally:
        engine.close()
        reader.close()
        writer.close()


def test_marks_keep_the_tag_sets(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A mark or a star changes no tag: a tag: filter is not read again after one."""
    from readq.models import Status

    db_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(db_path)
    store.ingest(
        [ScrapedPaper(f"Teapot {i}", f"A fictional teapot abstract {i}.") for i in range(4)],
        Source("s", "/s", "2026-01-01"),
        "hf",
    )
    store.change_tags([1, 2], ["pots"])
    reads: list[object] = []
    original = tagged.paper_ids_sql
    monkeypatch.setattr(
        tagged, "paper_ids_sql", lambda clause: reads.append(clause) or original(clause)
    )
    reader = store.open_reader()
    engine = SearchEngine.load(reader)
    try:
        engine.search("tag:pots")
        store.set_status([1], Status.READ)
        engine.update_state(1, status=Status.READ)
        store.save_note(2, "a note")
        engine.refresh()
        assert set(engine.search("tag:pots -is:read")) == {2}
        assert len(reads) == 1
    finally:
        engine.close()
        reader.close()
        store.close()


def test_tag_sets_with_gaps_in_the_ids(db_path: Path) -> None:
    """Papers deleted for good leave gaps: ids are mapped to documents one by one then."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(db_path)
    store.ingest(
        [ScrapedPaper(f"Saucer {i}", f"A fictional saucer abstract {i}.") for i in range(6)],
        Source("s", "/s", "2026-01-01"),
        "hf",
    )
    store.trash([2, 3])
    store.empty_trash()
    store.change_tags([1, 4, 6], ["cups"])
    engine = SearchEngine.load(store.open_reader())
    try:
        assert set(engine.search("tag:cups")) == {1, 4, 6}
        assert set(engine.search("-tag:cups")) == {5}
    finally:
        engine.close()
        store.close()
