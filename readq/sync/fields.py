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


def _check_queue(value: Sequence[Json]) -> None:
    if value[0] is not None and not isinstance(value[0], int | float):
        raise ValueError("field queue: a place is not a number")


def _check_dismissed(value: Sequence[Json]) -> None:
    if value[0] is not None and (not isinstance(value[0], str) or not value[0]):
        raise ValueError("field dismissed: not a date or null")


def _check_member(value: Sequence[Json]) -> None:
    if value[0] not in (0, 1) or (len(value) > 1 and not isinstance(value[1], str)):
        raise ValueError("a tag member is not [0|1, name]")


TAG = "tag:"
"""Prefix of a paper's tag members: ``tag:<key>`` = ``[1, name as shown]`` or ``[0]``."""
EXCLUDED = "excl:"
"""Prefix of a paper's hand removals: ``excl:<key>`` = ``[1]`` (no rule puts it back) or
``[0]``."""


def member_kind(name: str) -> str | None:
    """'t' for a tag member field, 'x' for a hand removal, None for another field."""
    if name.startswith(TAG) and len(name) > len(TAG):
        return "t"
    if name.startswith(EXCLUDED) and len(name) > len(EXCLUDED):
        return "x"
    return None


def validate_member(name: str, value: Json) -> list[Json]:
    """A tag member's value, or ``ValueError`` (``[1, name]`` / ``[0]`` / ``[1]``)."""
    if not isinstance(value, list) or not 1 <= len(value) <= 2:
        raise ValueError(f"field {name}: expected [0|1] or [1, name]")
    _check_member(value)
    if value[0] == 1 and name.startswith(TAG) and (len(value) != 2 or not value[1].strip()):
        raise ValueError(f"field {name}: a tag without its name")
    return value


RECORD_KINDS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "view:": {"live": int, "name": str, "query": str, "position": (int, float)},
    "rule:": {"live": int, "tag": str, "query": str, "created": str},
}
"""State that is not per paper, keyed by its own uid (``view:<name folded>``,
``rule:<created>:<tag key>:<query>``): each field is last-writer-wins, ``live`` 0 is a deletion."""


def record_kind(uid: str) -> str | None:
    """The kind prefix of a record uid (``view:``/``rule:``), None for a paper's uid."""
    for prefix in RECORD_KINDS:
        if uid.startswith(prefix):
            return prefix
    return None


def validate_record_field(kind: str, name: str, value: Json) -> Json | None:
    """A record field's single value; None for a field this readq does not know (skipped,
    left for a newer one); ``ValueError`` for a wrong one."""
    expected = RECORD_KINDS[kind].get(name)
    if expected is None:
        return None
    if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], expected):
        raise ValueError(f"record field {name}: not one value of the right type")
    if name == "live" and value[0] not in (0, 1):
        raise ValueError("record field live: not 0 or 1")
    return value[0]


DISMISSED = "dismissed"
"""The "not interested" label: value ``[dismissed_at]``, ``[null]`` when not (or no longer)
said. It lives in its own table (``dismissed``), not in ``papers``: it is read through
:data:`SELECT_COLUMNS` and written by the engine to that table."""

NOTE = "note"
"""The note field: value ``[text, revision uid]`` (the revision is mapped to a local id)."""

FIELDS: tuple[Field, ...] = (
    Field("data", DATA_COLUMNS, edit=False, check=_check_data),
    Field("title", ("title", "title_derived"), edit=True, check=_check_title),
    Field("status", ("status", "read_at"), edit=True, check=_check_status),
    Field("starred", ("starred",), edit=True, check=_check_starred),
    Field("deleted", ("deleted_at",), edit=False),
    Field(NOTE, ("note", "note_revision"), edit=True),
    Field("queue", ("queue_pos",), edit=True, check=_check_queue),
    Field(DISMISSED, ("dismissed_at",), edit=True, check=_check_dismissed),
)
"""Every kind of per-paper state that travels, in the order an entry applies them."""

UNTOUCHED: dict[str, Json] = {
    "status": ["new", None],
    "starred": [0],
    "deleted": [None],
    NOTE: ["", None],
    "queue": [None],
    DISMISSED: [None],
}
"""The values ingest gives a new paper, field by field: a paper first sent with one of them
was not edited there, so the value carries no claim against another device's edit."""

BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
EDIT_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.edit)
ALL_COLUMNS: tuple[str, ...] = tuple(c for f in FIELDS for c in f.columns)
"""The columns a capture reads (in :data:`FIELDS` order)."""

OWN_TABLE: dict[str, str] = {
    "dismissed_at": "(SELECT d.dismissed_at FROM dismissed d WHERE d.paper_id = papers.id)",
}
"""Columns of :data:`ALL_COLUMNS` kept outside ``papers`` (so re-ingest, which upserts
``papers``, never touches them), as the expression that reads them in a query on ``papers``."""
SELECT_COLUMNS: str = ", ".join(OWN_TABLE.get(c, c) for c in ALL_COLUMNS)
"""The select list of every travelling column, for ``SELECT ... FROM papers``."""


def digest(value: Json) -> str:
    """A short fingerprint of a value: a field whose fingerprint moved has changed."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
