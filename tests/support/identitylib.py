"""Helpers for tests of the paper identity's uses: fictional identities, and a store that
shows them before the store keeps them.

The store's identity columns come from another branch (issue #14, identity-store). Until they
land, :func:`give_identity` makes every read of the store (``get``, ``get_many``,
``list_papers``: all go through ``row_to_paper``) return papers with the given fields, the way
the store will once it stores them. Scaffolding for tests only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from readq import store as store_module
from readq.models import Paper, Source, Status

LANTERN: dict[str, Any] = {
    "arxiv_id": "2612.04011",
    "arxiv_version": 2,
    "author_names": ("Ada Quill", "Bram Osei", "Chen Varga"),
    "authors": 3,
    "categories": ("cs.LG", "cs.AI"),
    "comments": "12 pages, 4 figures; code at this https URL",
    "journal_ref": "Proc. Fictional Conf. on Lanterns 2026",
    "doi": "10.5555/lantern.2026.7",
}
"""A fictional arXiv paper with every identity field."""


def paper(pid: int, title: str, **fields: Any) -> Paper:
    """A stored-looking paper with ``fields`` set (the rest empty)."""
    base = Paper(
        id=pid,
        title=title,
        title_derived=False,
        abstract=fields.pop("abstract", f"A made-up abstract about {title.lower()}."),
        published=fields.pop("published", "2026-12-02"),
        published_text=None,
        upvotes=None,
        authors=None,
        org=None,
        urls=(),
        status=Status.NEW,
        starred=False,
        note="",
        added_at="2026-12-03T00:00:00+00:00",
        updated_at="2026-12-03T00:00:00+00:00",
    )
    return dataclasses.replace(base, **fields)


def give_identity(
    monkeypatch: pytest.MonkeyPatch, identities: Mapping[int, Mapping[str, Any]]
) -> None:
    """Make the store return papers ``id`` with the fields ``identities[id]``."""
    original = store_module.row_to_paper

    def row_to_paper(row: Any, sources: Sequence[Source] = ()) -> Paper:
        found = original(row, sources)
        extra = identities.get(found.id)
        return dataclasses.replace(found, **extra) if extra else found

    monkeypatch.setattr(store_module, "row_to_paper", row_to_paper)
