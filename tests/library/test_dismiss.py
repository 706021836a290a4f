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
