"""Undo and redo of the TUI's changes: marks, stars, bulk marks, note saves, renames,
moves to and from the trash, moves in the to-read queue, and tag changes.

Each change is recorded with what is needed to reverse it; undoing a change records the
reversal so that it can be redone. Nothing here knows about Textual.
"""

from __future__ import annotations

from dataclasses import dataclass

from readq.store import PaperState, QueueSlot, Store
from readq.tags import PaperTags


@dataclass(frozen=True, slots=True)
class StateChange:
    """Papers' status/star before a change (restored by undo)."""

    description: str
    states: tuple[PaperState, ...]
    subject: str = ""
    """What the change was done to, for the undo toast ("Gradient Lanterns…", "3 papers")."""

    @property
    def ids(self) -> list[int]:
        """The papers the change touched."""
        return [s.id for s in self.states]


@dataclass(frozen=True, slots=True)
class NoteChange:
    """A note's text before a save (restored by undo)."""

    description: str
    paper_id: int
    text: str
    subject: str = ""

    @property
    def ids(self) -> list[int]:
        """The paper the change touched."""
        return [self.paper_id]


@dataclass(frozen=True, slots=True)
class TrashChange:
    """Papers moved to the trash (``trashed``) or back from it; undo moves them the other way."""

    description: str
    paper_ids: tuple[int, ...]
    trashed: bool
    subject: str = ""

    @property
    def ids(self) -> list[int]:
        """The papers moved."""
        return list(self.paper_ids)


@dataclass(frozen=True, slots=True)
class RenameChange:
    """A paper's title before a rename (and whether readq had derived it), put back by undo."""

    description: str
    paper_id: int
    title: str
    title_derived: bool
    subject: str = ""

    @property
    def ids(self) -> list[int]:
        """The paper renamed."""
        return [self.paper_id]


@dataclass(frozen=True, slots=True)
class QueueChange:
    """Papers' places in the to-read queue before a move or an applied order (one paper, or
    the whole queue): undo puts every one of them back in one step."""

    description: str
    slots: tuple[QueueSlot, ...]
    subject: str = ""

    @property
    def ids(self) -> list[int]:
        """The papers whose place was saved."""
        return [s.id for s in self.slots]


@dataclass(frozen=True, slots=True)
class DismissChange:
    """Papers said "not interested" in (``dismissed``) or taken back; undo does the other."""

    description: str
    paper_ids: tuple[int, ...]
    dismissed: bool
    subject: str = ""

    @property
    def ids(self) -> list[int]:
        """The papers labelled."""
        return list(self.paper_ids)


@dataclass(frozen=True, slots=True)
class TagChange:
    """Papers' tags (and hand removals) before a tag change, put back by undo: one step
    for a picker's whole edit, however many papers and tags it touched."""

    description: str
    states: tuple[PaperTags, ...]
    subject: str = ""

    @property
    def ids(self) -> list[int]:
        """The papers whose tags changed."""
        return [s.id for s in self.states]


Change = (
    StateChange | NoteChange | TrashChange | RenameChange | QueueChange | TagChange | DismissChange
)


class UndoStack:
    """Two stacks of changes; a new change clears the redo stack."""

    def __init__(self, limit: int = 500) -> None:
        self.limit = limit
        self.undo_stack: list[Change] = []
        self.redo_stack: list[Change] = []

    def record(self, change: Change) -> None:
        """Remember a change just made."""
        self.undo_stack.append(change)
        del self.undo_stack[: -self.limit]
        self.redo_stack.clear()

    def discard(self, change: Change) -> None:
        """Forget a change that never reached the library."""
        self.undo_stack = [c for c in self.undo_stack if c is not change]

    def forget(self, paper_ids: set[int]) -> None:
        """Drop every step that touches these papers (they were deleted for good)."""
        self.undo_stack = [c for c in self.undo_stack if not paper_ids & set(c.ids)]
        self.redo_stack = [c for c in self.redo_stack if not paper_ids & set(c.ids)]

    def undo(self, store: Store) -> Change | None:
        """Reverse the last change; returns it (None when there is nothing to undo)."""
        if not self.undo_stack:
            return None
        change = self.undo_stack[-1]
        reverse = _apply(store, change)  # if the write fails, the change stays undoable
        self.undo_stack.pop()
        self.redo_stack.append(reverse)
        return change

    def redo(self, store: Store) -> Change | None:
        """Apply again the last undone change; returns it (None when there is nothing)."""
        if not self.redo_stack:
            return None
        change = self.redo_stack[-1]
        reverse = _apply(store, change)
        self.redo_stack.pop()
        self.undo_stack.append(reverse)
        return change


def _apply(store: Store, change: Change) -> Change:
    """Put the saved state back and return the change that reverses this one."""
    if isinstance(change, StateChange):
        before = store.restore_states(list(change.states))
        return StateChange(change.description, tuple(before), change.subject)
    if isinstance(change, TrashChange):
        ids = list(change.paper_ids)
        if change.trashed:
            store.restore_trashed(ids)
        else:
            store.trash(ids)
        return TrashChange(change.description, change.paper_ids, not change.trashed, change.subject)
    if isinstance(change, QueueChange):
        places = store.restore_queue_slots(list(change.slots))
        return QueueChange(change.description, tuple(places), change.subject)
    if isinstance(change, TagChange):
        replaced = store.restore_tags(list(change.states))
        return TagChange(change.description, tuple(replaced), change.subject)
    if isinstance(change, DismissChange):
        store.set_dismissed(list(change.paper_ids), not change.dismissed)
        return DismissChange(
            change.description, change.paper_ids, not change.dismissed, change.subject
        )
    if isinstance(change, RenameChange):
        paper = store.get(change.paper_id, with_sources=False)
        store.set_title(change.paper_id, change.title, derived=change.title_derived)
        return RenameChange(
            change.description, change.paper_id, paper.title, paper.title_derived, change.subject
        )
    current, _rev = store.note_state(change.paper_id)
    store.save_note(change.paper_id, change.text, kind="restore")
    return NoteChange(change.description, change.paper_id, current, change.subject)
