"""The index as plain values and back: what the persisted cache (:mod:`readq.search.cache`)
writes, and the checks a saved state must pass before an engine trusts it.

Why apart: the saved shape is a format (the cache's version depends on it); naming every piece
and validating it in one place keeps a damaged or foreign file from becoming a wrong index.
"""

from __future__ import annotations

from array import array

from readq.models import SortKey
from readq.search.documents import STATUSES
from readq.search.index import InvertedIndex
from readq.search.matching import Raw, WordMatcher
from readq.search.orders import SortOrders
from readq.search.query import Field
from readq.search.state import PaperState

State = dict[str, object]
"""The engine's state as plain values (str, int, arrays, bytes, lists, dicts, sets)."""


def export_state(state: PaperState, matcher: WordMatcher, orders: SortOrders) -> State:
    """Everything the engine holds in memory, as plain values. The values are the engine's own
    objects, not copies: hold the engine's lock until they have been serialised."""
    return {
        "index": state.index.export_state(),
        **state.columns(),
        "alive": state.alive,
        "status_bits": {s.value: b for s, b in state.status_bits.items()},
        "starred_bits": state.starred_bits,
        "note_bits": state.note_bits,
        "year_bits": state.year_bits,
        # The queue's order is recomputed after any write: not worth keeping.
        "orders": {k.value: v for k, v in orders.computed.items() if k is not SortKey.QUEUE},
        "warm": {
            t: {int(f): v for f, v in raw.items()} for t, raw in matcher.pinned_sets().items()
        },
    }


def restore(state: PaperState, matcher: WordMatcher, orders: SortOrders, saved: State) -> None:
    """Make ``state``, ``matcher`` and ``orders`` hold ``saved`` (from :func:`export_state`).
    ``ValueError`` (or ``KeyError``/``TypeError``) if it does not add up; then nothing is
    changed unless the sort orders were bad."""
    index_state = saved["index"]
    if not isinstance(index_state, dict):
        raise ValueError("bad index")
    index = InvertedIndex.from_state(index_state)
    n = index.n
    ids, status, starred = saved["ids"], saved["status"], saved["starred"]
    year, digest, sort_digest = saved["year"], saved["hash"], saved["sort_hash"]
    if not (
        isinstance(ids, array)
        and ids.typecode == "q"
        and isinstance(status, bytearray)
        and isinstance(starred, bytearray)
        and isinstance(year, array)
        and year.typecode == "H"
        and isinstance(digest, array)
        and digest.typecode == "I"
        and isinstance(sort_digest, array)
        and sort_digest.typecode == "I"
    ):
        raise ValueError("bad per-paper arrays")
    if {len(ids), len(status), len(starred), len(year), len(digest), len(sort_digest)} != {n}:
        raise ValueError("per-paper arrays disagree with the index")
    if n and (max(status) >= len(STATUSES) or max(starred) > 1):
        raise ValueError("bad status codes")
    notes = saved["notes"]
    status_bits = saved["status_bits"]
    year_bits = saved["year_bits"]
    saved_orders = saved["orders"]
    warm = saved["warm"]
    last_updated = saved["last_updated"]
    alive, starred_bits, note_bits = saved["alive"], saved["starred_bits"], saved["note_bits"]
    if not (
        isinstance(notes, dict)
        and isinstance(status_bits, dict)
        and isinstance(year_bits, dict)
        and isinstance(saved_orders, dict)
        and isinstance(warm, dict)
        and isinstance(last_updated, str)
        and isinstance(alive, int)
        and isinstance(starred_bits, int)
        and isinstance(note_bits, int)
    ):
        raise ValueError("bad engine state")
    state.index = index
    state.ids = ids
    state.status = status
    state.starred = starred
    state.year = year
    state.hash = digest
    state.sort_hash = sort_digest
    state.notes = {int(d): str(t) for d, t in notes.items()}
    state.alive, state.starred_bits, state.note_bits = alive, starred_bits, note_bits
    state.status_bits = {s: int(status_bits[s.value]) for s in STATUSES}
    state.year_bits = {int(y): int(b) for y, b in year_bits.items()}
    state.last_updated = last_updated
    orders.computed.clear()
    for key, order in saved_orders.items():
        if not isinstance(order, array) or order.typecode != "I" or len(order) > n:
            raise ValueError("bad sort order")
        orders.computed[SortKey(key)] = order
    sets: dict[str, Raw] = {
        str(token): {Field(f): (int(e), int(p), int(t)) for f, (e, p, t) in raw.items()}
        for token, raw in warm.items()
    }
    matcher.restore_pinned(sets)
