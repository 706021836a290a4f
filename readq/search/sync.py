"""Keeping the index in step with the library: papers added or changed by anyone (refresh),
moves to and from the trash, status/star/note changes made through the store, and the caches
those changes invalidate.

Why apart: this is the only code that changes the per-paper state after a build, so the rules
that keep it right (which change drops which cache, when to re-sort, when to index in bulk) are
in one place.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

from readq.models import SortKey, Status
from readq.search import bitset
from readq.search.build import (
    Collect,
    Part,
    StartOther,
    follows,
    join_bits,
    scan_part,
    scan_rows,
)
from readq.search.documents import STATUS_CODE, STATUSES, LibraryRows, Row, decode
from readq.search.evaluate import Evaluator
from readq.search.matching import Letters, WordMatcher
from readq.search.orders import SortOrders
from readq.search.query import Field
from readq.search.state import PaperState
from readq.search.tokens import words
from readq.store import Store

_LOAD_BATCH = 2000
BULK_MIN = 5000
_BULK_FRACTION = 20
"""When :meth:`Sync.refresh` finds more than ``max(BULK_MIN, n // _BULK_FRACTION)`` new papers
it indexes them as a first build does (one scan, then compaction) instead of batch by batch:
catching up 94k papers onto an empty index took 14.4 s batch by batch against 6.2 s for a
build, and left long postings as arrays (a 58 MB cache file instead of 18 MB)."""


SPLIT_MIN = 20_000
"""From this many new papers a bulk catch-up with :attr:`Sync.split` set uses the other
process (below, starting it costs more than it saves)."""
_SPLIT_SHARE = 55
"""The percentage of the new papers this process scans; the other starts a new interpreter
(~0.2 s) and pickles its share back, so it gets a little less."""


def _count(part: Part) -> int:
    """How many papers a scanned part holds."""
    ids = part["ids"]
    assert isinstance(ids, array)
    return len(ids)


class Sync:
    """Applies the library's changes to the per-paper state and drops what they invalidate."""

    def __init__(
        self,
        state: PaperState,
        rows: LibraryRows,
        matcher: WordMatcher,
        evaluator: Evaluator,
        orders: SortOrders,
    ) -> None:
        self.state = state
        self.rows = rows
        self.matcher = matcher
        self.evaluator = evaluator
        self.orders = orders
        self.data_version = -1
        """The library's ``PRAGMA data_version`` when last read (-1: read it next time)."""
        self.generation = 0
        """Bumped whenever cached results may have changed."""
        self.unsaved_rows = 0
        """Papers added or re-read by :meth:`refresh` since the state was last saved."""
        self.split: StartOther | None = None
        """When set, a bulk catch-up (:meth:`append_bulk`) has another process scan the newer
        share of the new papers (see :func:`readq.search.build.scan_part`)."""

    # ------------------------------------------------------------------ refresh
    def refresh(self, store: Store | None = None) -> bool:
        """Pick up papers added or changed since the last load or refresh (through ``store``'s
        connection if given, even when SQLite says nothing changed). True if anything did."""
        rows = LibraryRows(store) if store is not None else self.rows
        state = self.state
        version = rows.data_version()
        if store is None and version == self.data_version:
            return False
        self.data_version = version
        # Queue moves change no indexed value (and renumbering no ``updated_at``): the
        # queue's order is recomputed after any write (one indexed query, on first use).
        self.orders.drop(SortKey.QUEUE)
        changed = appended = False
        generation = self.generation
        max_id = state.ids[-1] if len(state.ids) else 0
        updated = rows.changed_rows(state.last_updated, max_id)
        text = False
        resort: list[int] = []
        for row in updated:
            row_changed, row_text, row_resort = self.update_row(row)
            changed |= row_changed
            text |= row_text
            if row_resort is not None:
                resort.append(row_resort)
        self.unsaved_rows += len(updated)
        first_new = state.n
        letters: Letters = {}
        bulk = self.append_bulk(rows, max_id)
        if bulk:
            self.unsaved_rows += bulk
            changed = text = True
        new_rows = rows.rows_after(state.ids[-1] if state.ids else max_id)
        while True:
            batch = new_rows.fetchmany(_LOAD_BATCH)
            if not batch:
                break
            self.append_rows(batch, letters)
            self.unsaved_rows += len(batch)
            changed = appended = True
        if updated:
            # A paper moved to or back from the trash was updated: its row says which.
            changed |= self.sync_trash(rows, updated)
        deleted = rows.live_count() != state.alive.bit_count()
        if deleted:
            # Sort orders may keep deleted papers: results only walk live ones.
            self.reconcile_deleted(rows)
            changed = True
        self.orders.reposition([*resort, *range(first_new, state.n)])
        if text or deleted:
            self.changed(text=True)
        elif appended:
            self.appended(letters)
        elif changed and self.generation == generation:
            # Only status, star, note or year changed: word sets and orders still hold.
            self.changed(text=False)
        return changed

    def append_rows(self, rows: list[Row], letters: Letters | None = None) -> None:
        """Index papers after the last one. With ``letters``, note which new documents the
        one-letter title prefixes (the pinned searches) gain."""
        state = self.state
        index = state.index
        first = index.n
        titles: list[set[str]] = []
        abstracts: list[set[str]] = []
        orgs: list[set[str]] = []
        for offset, row in enumerate(rows):
            paper = decode(row)
            doc = first + offset
            state.ids.append(paper.pid)
            titles.append(set(words(paper.title)))
            abstracts.append(set(words(paper.abstract)))
            orgs.append(set(words(paper.org)))
            state.status.append(paper.status)
            state.starred.append(paper.starred)
            state.year.append(paper.year)
            state.hash.append(paper.text_hash)
            state.sort_hash.append(paper.sort_hash)
            if paper.note:
                state.notes[doc] = paper.note
                index.set_side(doc, ((Field.NOTE, w) for w in words(paper.note)))
            if paper.year:
                state.year_bits[paper.year] = state.year_bits.get(paper.year, 0) | (1 << doc)
            state.last_updated = max(state.last_updated, paper.updated)
        if letters is not None:
            for field, doc_words in (
                (Field.TITLE, titles),
                (Field.ABSTRACT, abstracts),
                (Field.ORG, orgs),
            ):
                for offset, found in enumerate(doc_words):
                    for word in found:
                        if len(word) == 1:
                            letters.setdefault((word, field), [[], []])[0].append(first + offset)
                        elif field != Field.ABSTRACT:  # one letter never prefixes abstracts
                            letters.setdefault((word[0], field), [[], []])[1].append(first + offset)
        index.append_batch(Field.TITLE, first, titles)
        index.append_batch(Field.ABSTRACT, first, abstracts)
        index.append_batch(Field.ORG, first, orgs)
        index.n = first + len(rows)
        state.add_state_bits(first)

    def append_bulk(self, rows: LibraryRows, max_id: int) -> int:
        """Index many new papers (ids above ``max_id``) the way a first build does: one scan
        (:func:`readq.search.build.scan_part`) merged after the current documents, then
        compaction; with :attr:`split`, the newer share of them scanned by another process
        meanwhile. Does nothing (returns 0) unless there are more than
        ``max(BULK_MIN, n // _BULK_FRACTION)`` of them; else returns how many were indexed.
        The caller drops the word caches."""
        state = self.state
        n = state.n
        threshold = max(BULK_MIN, n // _BULK_FRACTION)
        if rows.count_after(max_id, threshold + 1) <= threshold:
            return 0
        parts = self._scan_new(rows, max_id, n)
        added = sum(_count(part) for part in parts)
        if not added:
            return 0
        total = n + added
        for part in parts:
            self._append_part(part, total)
        state.add_state_bits(n)
        state.index.compact()
        return added

    def _scan_new(self, rows: LibraryRows, max_id: int, n: int) -> list[Part]:
        """The papers above ``max_id`` scanned as documents ``n, ...``: one part, or two when
        :attr:`split` is set and there are at least ``SPLIT_MIN`` of them (this process scans
        the older share while the other process scans the rest; if the other fails or does not
        fit, this process scans the rest after all, so the index is the same either way)."""
        start_other = self.split
        if start_other is None or rows.count_after(max_id, SPLIT_MIN) < SPLIT_MIN:
            return [scan_part(rows.store, max_id + 1, n)]
        collect: Collect | None = None
        try:
            with rows.one_snapshot():
                new = rows.count_after(max_id, 1 << 62)
                mine = new * _SPLIT_SHARE // 100
                split_id = rows.id_after(max_id, mine)
                assert split_id is not None  # ``mine`` < ``new``, in the same snapshot
                collect = start_other(split_id, n + mine)
                first = scan_rows(rows.rows_between(max_id, split_id), n)
            other, collect = collect(), None
        finally:
            if collect is not None:  # failed before collecting: end the other process
                collect(abort=True)
        first_ids = first["ids"]
        assert isinstance(first_ids, array)
        # One snapshot counted and scanned this share: it holds exactly ``mine`` papers.
        assert len(first_ids) == mine
        if other is None or not follows(other, first_ids, n + mine):
            other = scan_part(rows.store, split_id, n + mine)
        return [first, other]

    def _append_part(self, part: Part, total: int) -> None:
        """Append a scanned part after the current documents (``total``: the document count
        once every part of this catch-up is in, for the bit-set postings)."""
        state = self.state
        index = state.index
        ids = part["ids"]
        assert isinstance(ids, array)
        state.extend_columns(part)
        main = part["main"]
        assert isinstance(main, dict)
        for field in (Field.TITLE, Field.ABSTRACT, Field.ORG):
            postings = index.main[field]
            for word, docs in main[int(field)].items():
                posting = postings.get(word)
                if isinstance(docs, int):  # compacted by the other process
                    postings[word] = join_bits(posting, docs, total)
                elif posting is None:
                    postings[word] = docs
                elif isinstance(posting, int):
                    postings[word] = posting | bitset.from_indices(docs, total)
                else:
                    posting.extend(docs)
        index.n += len(ids)
        years = part["years"]
        assert isinstance(years, dict)
        for year, docs in years.items():
            state.year_bits[year] = state.year_bits.get(year, 0) | bitset.from_indices(docs, total)
        notes = part["notes"]
        assert isinstance(notes, dict)
        for doc, note in notes.items():
            state.notes[doc] = note
            index.set_side(doc, ((Field.NOTE, w) for w in words(note)))

    def update_row(self, row: Row) -> tuple[bool, bool, int | None]:
        """Re-read one known paper: (anything changed, its indexed text changed, the document
        if its place in the sort orders may have changed)."""
        state = self.state
        paper = decode(row)
        state.last_updated = max(state.last_updated, paper.updated)
        doc = state.doc(paper.pid)
        if doc is None:
            return False, False, None
        text = False
        resort: int | None = None
        changed = self.set_state(
            doc, STATUSES[paper.status], bool(paper.starred), paper.note, paper.year
        )
        if paper.text_hash != state.hash[doc]:
            state.hash[doc] = paper.text_hash
            index = state.index
            index.stale |= 1 << doc
            entries = [(Field.TITLE, w) for w in words(paper.title)]
            entries += [(Field.ABSTRACT, w) for w in words(paper.abstract)]
            entries += [(Field.ORG, w) for w in words(paper.org)]
            entries += [(Field.NOTE, w) for w in words(state.notes.get(doc, ""))]
            index.set_side(doc, entries)
            changed = text = True
            resort = doc  # the title may have changed
        # Published dates and upvotes only affect the sort orders (the title is in the digest).
        if paper.sort_hash != state.sort_hash[doc]:
            state.sort_hash[doc] = paper.sort_hash
            changed = True
            resort = doc
        return changed, text, resort

    # -------------------------------------------------------------- the trash
    def reconcile_deleted(self, rows: LibraryRows) -> None:
        """Alive = in the library and not in the trash, for every document (both ways: a
        paper restored from the trash comes back)."""
        state = self.state
        present = {int(r[0]) for r in rows.live_ids()}
        live = [d for d, pid in enumerate(state.ids) if pid in present]
        state.alive = bitset.from_indices(live, state.n)

    def sync_trash(self, rows: LibraryRows, updated: Sequence[Row]) -> bool:
        """Make the ``updated`` rows' papers alive or not as the trash says; True if any
        moved. The trash is read through its partial index (a handful of rows)."""
        trashed = {int(r[0]) for r in rows.trashed_ids()}
        moved = False
        for row in updated:
            pid = int(row[0])  # type: ignore[call-overload]
            doc = self.state.doc(pid)
            if doc is not None and self.set_alive(doc, pid not in trashed):
                moved = True
        if moved:
            self.changed(text=False)
        return moved

    def set_alive(self, doc: int, alive: bool) -> bool:
        """Make a document alive or not; True if that changed it."""
        bit = 1 << doc
        if bool(self.state.alive & bit) == alive:
            return False
        self.state.alive ^= bit
        return True

    def set_trashed(self, paper_ids: Sequence[int], trashed: bool) -> None:
        """Apply a move to or from the trash made through the store."""
        moved = False
        for pid in paper_ids:
            doc = self.state.doc(pid)
            if doc is not None:
                moved |= self.set_alive(doc, not trashed)
        if moved:
            self.changed(text=False)

    # ------------------------------------------------------ per-paper state
    def set_state(
        self,
        doc: int,
        status: Status | None,
        starred: bool | None,
        note: str | None,
        year: int | None,
    ) -> bool:
        """Set what is given of one document's status, star, note and year; True if any
        changed."""
        state = self.state
        changed = False
        bit = 1 << doc
        if status is not None:
            code = STATUS_CODE[status]
            old = state.status[doc]
            if old != code:
                state.status_bits[STATUSES[old]] &= ~bit
                state.status_bits[status] |= bit
                state.status[doc] = code
                # A status change sets or clears the read date and the queue place: those
                # orders are recomputed.
                self.orders.drop(SortKey.READ, SortKey.QUEUE)
                changed = True
        if starred is not None and bool(state.starred[doc]) != starred:
            state.starred[doc] = int(starred)
            state.starred_bits ^= bit
            changed = True
        if note is not None and state.notes.get(doc, "") != note:
            if note:
                state.notes[doc] = note
                state.note_bits |= bit
            else:
                state.notes.pop(doc, None)
                state.note_bits &= ~bit
            entries = [(Field.NOTE, w) for w in words(note)]
            index = state.index
            if (index.stale >> doc) & 1:
                entries += [(f, w) for f, w in index.side_words.get(doc, []) if f != Field.NOTE]
            index.set_side(doc, entries)
            self.changed(text=False)
            changed = True
        if year is not None and state.year[doc] != year:
            old_year = state.year[doc]
            if old_year:
                state.year_bits[old_year] &= ~bit
            if year:
                state.year_bits[year] = state.year_bits.get(year, 0) | bit
            state.year[doc] = year
            changed = True
        return changed

    def sync_states(self) -> bool:
        """Make status and star agree with the library (papers whose state differs only)."""
        state = self.state
        rows = self.rows
        n = state.n
        to_read = state.bits_of(rows.ids_with_status(Status.TO_READ))
        read = state.bits_of(rows.ids_with_status(Status.READ))
        starred = state.bits_of(rows.starred_ids())
        alive = state.alive
        changed = False
        differ = (
            (to_read ^ state.status_bits[Status.TO_READ]) | (read ^ state.status_bits[Status.READ])
        ) & alive
        for block in bitset.iter_desc(differ, n):
            for doc in block:
                status = (
                    Status.TO_READ
                    if (to_read >> doc) & 1
                    else Status.READ
                    if (read >> doc) & 1
                    else Status.NEW
                )
                changed |= self.set_state(doc, status, None, None, None)
        for block in bitset.iter_desc((starred ^ state.starred_bits) & alive, n):
            for doc in block:
                changed |= self.set_state(doc, None, bool((starred >> doc) & 1), None, None)
        if changed:
            self.changed(text=False)
        return changed

    # ----------------------------------------------------------------- caches
    def changed(self, *, text: bool) -> None:
        """Drop caches: phrases always (notes count), word sets and orders when the indexed
        title/abstract/organisation text changed."""
        self.generation += 1
        self.evaluator.forget()
        if text:
            self.matcher.text_changed()

    def appended(self, letters: Letters) -> None:
        """Drop caches after papers were appended (and nothing else changed in the indexed
        text): the pinned one-letter prefixes gain the new documents noted in ``letters``."""
        self.generation += 1
        self.evaluator.forget()
        self.matcher.appended(letters)
