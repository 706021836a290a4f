"""``Library.dismiss``: "not interested" is one write, says what it did, and undo / redo take
it back and put it again like any other change."""

from __future__ import annotations

from pathlib import Path

from support.discoverlib import build

from readq.library import Library
from readq.library.undo import DismissChange


def test_dismiss_is_undone_and_redone(tmp_path: Path) -> None:
    store, ids = build(tmp_path / "lib" / "readq.db")
    library = Library(store)
    try:
        target = ids["power"][0]
        done = library.dismiss([target])
        assert done.ids == (target,) and isinstance(done.change, DismissChange)
        assert done.message().startswith("Not interested: Transformer winding")
        assert library.dismissed() == {target}
        again = library.dismiss([target])
        assert again.ids == () and again.skipped == (target,) and again.change is None
        undone = library.undo()
        assert undone.change == done.change and library.dismissed() == set()
        library.redo()
        assert library.dismissed() == {target}
        taken_back = library.dismiss([target], False)
        assert taken_back.description == "Interested again" and library.dismissed() == set()
        library.undo()
        assert library.dismissed() == {target}
    finally:
        library.close(timeout=5.0)


def test_the_queue_can_be_suggested_in_the_for_you_order(tmp_path: Path) -> None:
    """Starred power-grid papers: the queued power-grid papers go first; the suggestion is
    the same papers, shown, not applied, until applied."""
    from readq.models import Status

    store, ids = build(tmp_path / "lib" / "readq.db")
    library = Library(store)
    try:
        other = [ids["language"][3], ids["birds"][3], ids["language"][4]]
        wanted = [ids["power"][3], ids["power"][4]]
        store.set_status([other[0], wanted[0], other[1], wanted[1], other[2]], Status.TO_READ)
        before = store.queue_ids()
        store.set_starred(ids["power"][:3], True)
        suggestion = library.suggest_queue("recommended")
        assert set(suggestion.ids[:2]) == set(wanted)
        assert sorted(suggestion.ids) == sorted(before)
        assert store.queue_ids() == before  # shown, not applied
        library.apply_queue_order(suggestion)
        assert store.queue_ids() == list(suggestion.ids)
    finally:
        library.close(timeout=5.0)
