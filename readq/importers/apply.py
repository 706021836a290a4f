"""Writing a parsed import into the library: one transaction, all of it or nothing.

Into an empty library a complete readq JSON export is *restored*: same ids, states, notes,
note revisions, sources and ingest log. Anything else is *merged* by the one matching rule of
ingest and ``readq add`` (``Store.match``: arXiv id, DOI, normalised title, abstract) and its
merge of scraped fields (``Store.merge_scraped``). For a paper already in the library the user's
state wins: its status is kept unless it is ``new``, the star is the OR of both, and a
different note in the file never replaces the library's note: it is kept as a ``conflict``
revision (or becomes the note, as an ``import`` revision, when the library's note is empty).
Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass

from readq.importers.records import ImportRecord, ParsedImport
from readq.models import ScrapedPaper, Source, Status
from readq.rules import import_rules
from readq.store import ImportedState, SeenInFile, Store, identified, now_iso
from readq.textclean import dedupe_keys


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did to the library."""

    format: str
    papers: int
    new: int
    merged: int
    updated: int = 0
    conflicts: int = 0
    restored: bool = False
    possible_duplicates: tuple[tuple[int, int], ...] = ()
    """(new paper, stored paper) pairs with the same title but different arXiv ids."""


def apply_import(store: Store, parsed: ParsedImport, source: Source) -> ImportResult:
    """Apply ``parsed`` (read from ``source``) to ``store`` in one ``BEGIN IMMEDIATE``."""
    with store.write():
        if store.is_empty() and _restorable(parsed):
            result = _restore(store, parsed)
        else:
            result = _merge_all(store, parsed, source)
        # The backup's saved views, after the library's own (a name the library already uses,
        # in any case, keeps the library's query: an import never changes what a tab shows).
        store.import_views(parsed.views)
        store.tags_touched()  # tags may have come with the papers
        return result


def _restorable(parsed: ParsedImport) -> bool:
    """A readq JSON export whose ids can be kept as they are."""
    if not parsed.keeps_ids or not parsed.records:
        return False
    revision_ids: set[int] = set()
    for record in parsed.records:
        if record.old_id is None or record.old_id <= 0:
            return False
        for revision in record.revisions:
            if revision.id is None or revision.id in revision_ids:
                return False
            revision_ids.add(revision.id)
    return True


def _restore(store: Store, parsed: ParsedImport) -> ImportResult:
    stamp = now_iso()
    for record in parsed.records:
        paper = record.paper
        assert record.old_id is not None
        state = ImportedState(
            status=record.status or Status.NEW,
            starred=record.starred,
            added_at=record.added_at or stamp,
            updated_at=record.updated_at or stamp,
            deleted_at=record.deleted_at,
            read_at=record.read_at,
            note=record.note,
            note_revision=record.note_revision,
            queue_pos=record.queue_pos,
        )
        keys = dedupe_keys(paper.title, paper.abstract)
        store.insert_paper(paper, keys, state, paper_id=record.old_id)
        for r in record.revisions:
            store.add_note_revision(
                record.old_id, r.text, r.created_at, r.kind, r.base, revision_id=r.id
            )
        store.add_sources(record.old_id, record.sources, stamp)
        # Tags and hand removals exactly as the backup holds them.
        store.import_tags(record.old_id, record.tags, record.tags_removed)
        store.import_dismissed(record.old_id, record.not_interested_at)
    # The backup's rules as they are (not run: the backup already holds what they did).
    import_rules(store, [(r.tag, r.query, r.created_at) for r in parsed.rules], new_ids=None)
    for entry in parsed.ingests:
        store.log_ingest(
            name=entry.name,
            path=entry.path,
            fmt=entry.format,
            at=entry.at,
            papers=entry.papers,
            new=entry.new,
            merged=entry.merged,
            ingest_id=entry.id,
        )
    # To-read papers of an older backup (no places) join the queue's bottom in id order.
    store.queue_at_bottom(sorted(r.old_id for r in parsed.records if r.old_id is not None))
    count = len(parsed.records)
    return ImportResult(parsed.format, papers=count, new=count, merged=0, restored=True)


def _merge_all(store: Store, parsed: ParsedImport, source: Source) -> ImportResult:
    stamp = now_iso()
    seen = SeenInFile()
    duplicates: list[tuple[int, int]] = []
    new_ids: set[int] = set()
    merged_ids: set[int] = set()
    updated_ids: set[int] = set()
    conflicts = 0
    joining: list[tuple[float, int, int]] = []
    """(file's queue place or +inf, file order, paper id) of papers this import makes to-read:
    they join the queue's bottom in the file's queue order (then file order)."""
    for order, record in enumerate(parsed.records):
        paper = identified(record.paper)
        tkey, akey = dedupe_keys(paper.title, paper.abstract)
        match = store.match(paper, tkey, akey, seen)
        pid = match.paper_id
        if pid is None:
            pid = _insert_new(store, record, paper, (tkey, akey), stamp)
            new_ids.add(pid)
            duplicates.extend((pid, other) for other in match.possible_duplicates)
        else:
            changed = store.merge_scraped(pid, paper, tkey, akey, stamp)
            state_changed, conflict = _merge_state(store, pid, record, stamp)
            conflicts += conflict
            if pid not in new_ids:
                merged_ids.add(pid)
                if changed or state_changed:
                    updated_ids.add(pid)
        seen.record(pid, match, paper, tkey, akey)
        store.add_sources(pid, record.sources or (source,), stamp)
        if record.status is Status.TO_READ:
            place = record.queue_pos if record.queue_pos is not None else float("inf")
            joining.append((place, order, pid))
        if record.tags or record.tags_removed:
            # Into a paper the library had, the user's own hand removals win.
            store.import_tags(pid, record.tags, record.tags_removed, respect=pid not in new_ids)
    store.queue_at_bottom([pid for _place, _order, pid in sorted(joining)])
    # Rules of the file the library lacks are added and run over every paper; the library's
    # own rules run over the papers the import added (as on ingest).
    import_rules(store, [(r.tag, r.query, r.created_at) for r in parsed.rules], new_ids=new_ids)
    store.log_ingest(
        name=source.name,
        path=source.path,
        fmt=f"import-{parsed.format}",
        at=stamp,
        papers=len(parsed.records),
        new=len(new_ids),
        merged=len(merged_ids),
    )
    return ImportResult(
        parsed.format,
        papers=len(parsed.records),
        new=len(new_ids),
        merged=len(merged_ids),
        updated=len(updated_ids),
        conflicts=conflicts,
        possible_duplicates=tuple(duplicates),
    )


def _insert_new(
    store: Store,
    record: ImportRecord,
    paper: ScrapedPaper,
    keys: tuple[str, str],
    stamp: str,
) -> int:
    state = ImportedState(
        status=record.status or Status.NEW,
        starred=record.starred,
        added_at=record.added_at or stamp,
        updated_at=stamp,
        # A paper the backup holds in the trash arrives in the trash; one already in this
        # library keeps its own place (an import never hides a paper the user can see).
        deleted_at=record.deleted_at,
        read_at=record.read_at,
    )
    pid = store.insert_paper(paper, keys, state)
    store.import_dismissed(pid, record.not_interested_at)
    mapping: dict[int, int] = {}
    for revision in record.revisions:
        base = mapping.get(revision.base) if revision.base is not None else None
        new_id = store.add_note_revision(
            pid, revision.text, revision.created_at, revision.kind, base
        )
        if revision.id is not None:
            mapping[revision.id] = new_id
    current = mapping.get(record.note_revision) if record.note_revision is not None else None
    if current is None and record.note:
        current = store.add_note_revision(pid, record.note, stamp, "import", None)
    if current is not None:
        store.set_current_note(pid, record.note, current)
    return pid


def _merge_state(store: Store, pid: int, record: ImportRecord, stamp: str) -> tuple[bool, int]:
    """Merge the file's user state into paper ``pid``: (anything changed, conflicts kept)."""
    stored = store.stored_state(pid)
    updates: dict[str, object] = {}
    if stored.status is Status.NEW and record.status not in (None, Status.NEW):
        assert record.status is not None
        updates["status"] = record.status.value
        if record.status is Status.READ:
            # Read according to the file: its date, else now (as marking it read would).
            updates["read_at"] = record.read_at or stamp
    if record.starred and not stored.starred:
        updates["starred"] = 1
    if store.import_dismissed(pid, record.not_interested_at):
        updates["updated_at"] = stamp
    conflict = 0
    if record.note and record.note != stored.note:
        if not stored.note.strip():
            revision = store.add_note_revision(
                pid, record.note, stamp, "import", stored.note_revision
            )
            updates.update(note=record.note, note_revision=revision)
        elif not store.has_note_revision(pid, record.note):
            store.add_note_revision(pid, record.note, stamp, "conflict", stored.note_revision)
            conflict = 1
    if updates:
        updates["updated_at"] = stamp
        store.update_state(pid, updates)
    return bool(updates) or bool(conflict), conflict
