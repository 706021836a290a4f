"""The kinds of per-paper state that travel, one handler each, merged last-writer-wins.

A :class:`Field` names the ``papers`` columns it covers; its value is the list of their
values (the engine writes a winning value back to the same columns in one statement). The
engine stamps each field of each paper with a hybrid-clock stamp when it changes and keeps,
on every device, the value with the highest stamp. ``edit`` fields are the user's own
changes: one stamped after a deletion brings the paper back.

Adding a kind of per-paper state (after a merge brings its columns) is one entry in
:data:`FIELDS`. Set-like state (tags) is one field per member (``tag:<name>`` with value
true/false, so each member is last-writer-wins: an add/remove set); state that is not per
paper (saved views, rules) is keyed by its own uid in the same entries (see the README).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from readq.store import SCRAPED_COLUMNS

Json = Any
"""A value as it travels (JSON: text, number, null, or a list of them)."""

DATA_COLUMNS: tuple[str, ...] = (
    *(c for c in SCRAPED_COLUMNS if c not in ("title", "title_derived")),
    "added_at",
)
"""The scraped record (and when it was first added): re-ingest on any device updates it."""


@dataclass(frozen=True, slots=True)
class Field:
    """One kind of per-paper state: the columns it covers and whether it is a user edit."""

    name: str
    columns: tuple[str, ...]
    edit: bool
    check: Callable[[Sequence[Json]], None] | None = None
    """Raises ``ValueError`` for a value this field cannot store (a corrupt entry)."""

    def read(self, row: Sequence[object]) -> Json:
        """The travelling value of this field from its columns' values."""
        return list(row)

    def validate(self, value: Json) -> list[Json]:
        """``value`` as column values, or ``ValueError`` naming what is wrong."""
        if not isinstance(value, list) or len(value) != len(self.columns):
            raise ValueError(f"field {self.name}: expected {len(self.columns)} values")
        for item in value:
            if item is not None and not isinstance(item, str | int | float):
                raise ValueError(f"field {self.name}: a value is not text or a number")
        if self.check is not None:
            self.check(value)
        return value


def _check_title(value: Sequence[Json]) -> None:
    if not isinstance(value[0], str) or not value[0].strip():
        raise ValueError("field title: empty")


def _check_status(value: Sequence[Json]) -> None:
    if value[0] not in ("new", "to-read", "read"):
        raise ValueError(f"field status: unknown status {value[0]!r}")


def _check_starred(value: Sequence[Json]) -> None:
    if value[0] not in (0, 1):
        raise ValueError("field starred: not 0 or 1")


def _check_data(value: Sequence[Json]) -> None:
    if not isinstance(value[-1], str) or not isinstance(value[0], str):
        raise ValueError("field data: no title key or date added")


NOTE = "note"
"""The note field: value ``[text, revision uid]`` (the revision is mapped to a local id)."""

FIELDS: tuple[Field, ...] = (
    Field("data", DATA_COLUMNS, edit=False, check=_check_data),
    Field("title", ("title", "title_derived"), edit=True, check=_check_title),
    Field("status", ("status", "read_at"), edit=True, check=_check_status),
    Field("starred", ("starred",), edit=True, check=_check_starred),
    Field("deleted", ("deleted_at",), edit=False),
    Field(NOTE, ("note", "note_revision"), edit=True),
)
"""Every kind of per-paper state that travels, in the order an entry applies them."""

BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
EDIT_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.edit)
ALL_COLUMNS: tuple[str, ...] = tuple(c for f in FIELDS for c in f.columns)
"""The ``papers`` columns a capture reads (in :data:`FIELDS` order)."""


def digest(value: Json) -> str:
    """A short fingerprint of a value: a field whose fingerprint moved has changed."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
