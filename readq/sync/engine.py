"""One sync: capture this device's changes, write them as one log, replay the others'.

Everything happens in one write transaction of the library. The log is written (fsync,
rename) before the transaction commits: killed before the log is whole, nothing happened;
killed after, the next sync captures the same changes again (entries are idempotent), so
neither the library nor the folder is ever half-synced.

Change capture compares the library with what the last sync left (``sync_base``): a paper
whose ``updated_at`` or queue place moved, a new note revision, source or paper, a paper gone
for good, tags and hand removals that differ from ``sync_tags``, saved views and rules that
differ from ``sync_records``. Nothing is added to the write paths themselves, so every path
(the tag picker, the CLI, rules on ingest or import, undo, applied queue orders) is seen.

Tags travel as one field per tag per paper (an add/remove set); views and rules as records
keyed by their own uid. After merging, what the merge left against the library's rules (a
tag a rule added over a hand removal, a queue place on a paper not to read, two papers or
tabs at one place) is fixed the same way on every device and sent in the same sync.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from readq.store import SCRAPED_COLUMNS, Store, now_iso, paper_of_row
from readq.sync import fields as F
from readq.sync.folder import (
    Folder,
    Line,
    LogFile,
    NewerFolderError,
    SyncFolderError,
    is_clean_log,
    read_lines,
    read_snapshot,
    read_snapshot_header,
    write_lines_atomic,
)
from readq.sync.hlc import FLOOR, Clock, HybridClock, parse
from readq.textclean import identity_key

__all__ = ["SyncError", "SyncResult", "SyncStatus", "sync", "sync_status"]

SNAPSHOT_MIN_ENTRIES = 1000
"""A snapshot is written once this many entries (or a quarter of the library, if more) were
logged since the last one: a new device reads one snapshot, not years of logs."""
ALL_LINES = 1 << 62
"""The cursor of a log a snapshot covers whole."""


class SyncError(Exception):
    """A sync could not start (no folder, another folder remembered): one line."""


@dataclass(slots=True)
class SyncResult:
    """What one sync did."""

    folder: str
    device: str
    device_name: str
    sent: int = 0
    """Entries this device wrote (papers changed, created or deleted for good)."""
    received: int = 0
    """Entries read from other devices' files."""
    changed: int = 0
    """Papers of this library that a received entry changed."""
    joined: bool = False
    """The first sync of this library into a folder other devices already used."""
    backup: str | None = None
    snapshot: str | None = None
    conflicts: list[str] = field(default_factory=list)
    """Titles of papers whose note was edited on two devices at once (both texts kept)."""
    revived: list[str] = field(default_factory=list)
    """Titles of papers deleted on one device and edited later on another: back again."""
    problems: list[str] = field(default_factory=list)
    """Corrupt entries (file:line and why), skipped; the rest applied."""
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The summary ``readq sync --json`` prints."""
        return {
            "folder": self.folder,
            "device": {"id": self.device, "name": self.device_name},
            "sent": self.sent,
            "received": self.received,
            "changed": self.changed,
            "joined": self.joined,
            "backup": self.backup,
            "snapshot": self.snapshot,
            "conflicts": self.conflicts,
            "revived": self.revived,
            "problems": self.problems,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True, slots=True)
class DeviceSeen:
    """Another device of the folder, as this library last saw it."""

    id: str
    name: str
    last_seen: str | None
    """When this library last read something of it (local time, ISO)."""
    last_change: str | None
    """Wall time of the newest stamp read from it (its own clock, ISO)."""


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """``readq sync --status``: the folder, this device, the others, what waits to be sent."""

    folder: str | None
    device: str | None
    device_name: str | None
    last_sync: str | None
    last_problem: str | None
    pending: int
    devices: tuple[DeviceSeen, ...]

    def to_json(self) -> dict[str, Any]:
        """The status as JSON."""
        return {
            "folder": self.folder,
            "device": {"id": self.device, "name": self.device_name},
            "last_sync": self.last_sync,
            "last_problem": self.last_problem,
            "pending": self.pending,
            "devices": [
                {"id": d.id, "name": d.name, "last_seen": d.last_seen, "last_change": d.last_change}
                for d in self.devices
            ],
        }


# ---------------------------------------------------------------------- meta
def _meta(conn: sqlite3.Connection) -> dict[str, str]:
    return {str(k): str(v) for k, v in conn.execute("SELECT key, value FROM sync_meta")}


def _set_meta(conn: sqlite3.Connection, **values: str | None) -> None:
    for key, value in values.items():
        if value is None:
            conn.execute("DELETE FROM sync_meta WHERE key = ?", (key,))
        else:
            conn.execute(
                "INSERT INTO sync_meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def remembered_folder(store: Store) -> str | None:
    """The folder this library syncs through, if one was given."""
    return _meta(store.conn).get("folder")


def sync_status(store: Store) -> SyncStatus:
    """Where and as whom this library syncs, the devices seen, and the changes not sent."""
    conn = store.conn
    meta = _meta(conn)
    devices = tuple(
        DeviceSeen(str(i), str(n), s, _wall_iso(h))
        for i, n, s, h in conn.execute(
            "SELECT id, name, last_seen, last_hlc FROM sync_devices ORDER BY name, id"
        )
    )
    pending = _Capture.count_pending(conn) if "folder" in meta else 0
    return SyncStatus(
        folder=meta.get("folder"),
        device=meta.get("device"),
        device_name=meta.get("device_name"),
        last_sync=meta.get("last_sync"),
        last_problem=meta.get("last_problem"),
        pending=pending,
        devices=devices,
    )


def _wall_iso(stamp: str | None) -> str | None:
    if not stamp:
        return None
    from datetime import UTC, datetime

    try:
        wall = parse(stamp)[0]
    except ValueError:
        return None
    return datetime.fromtimestamp(wall / 1000, UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------------- sync
def sync(
    store: Store,
    folder: str | Path | None = None,
    *,
    device_name: str | None = None,
    clock: Clock = time.time,
    backup: Callable[[], Path] | None = None,
) -> SyncResult:
    """Sync the library with ``folder`` (or the one remembered).

    ``backup`` is called (and must succeed) before the first sync of this library joins a
    folder that other devices already use. Raises ``SyncError``/``SyncFolderError`` (and
    ``NewerFolderError`` for a folder from a newer readq, left untouched) before anything
    is written; corrupt entries are listed in ``problems`` and skipped.
    """
    started = time.perf_counter()
    conn = store.conn
    meta = _meta(conn)
    remembered = meta.get("folder")
    if folder is None:
        if remembered is None:
            raise SyncError("no sync folder yet: run `readq sync DIR` once with the shared folder")
        base = Path(remembered)
    else:
        base = Path(folder).expanduser().resolve()
        if remembered is not None and Path(remembered) != base:
            raise SyncError(
                f"{base}: this library already syncs through {remembered}; "
                "sync there (a library syncs through one folder)"
            )
    area = Folder(base)
    area.check(create=False)  # refuses a newer folder before writing anything
    device = meta.get("device") or uuid.uuid4().hex[:12]
    name = device_name or meta.get("device_name") or socket.gethostname() or device
    others = [d for d in area.devices() if d != device]
    first = remembered is None
    result = SyncResult(folder=str(base), device=device, device_name=name)
    if first and others and backup is not None:
        result.backup = str(backup())
    result.joined = first and bool(others)
    area.check(create=True)
    with store.write():
        _set_meta(conn, folder=str(base), device=device, device_name=name)
        area.write_device(device, name)
        area.remove_temporaries(device)
        session = _Session(store, area, device, HybridClock(device, meta.get("hlc"), clock), result)
        session.run(first=first)
        _set_meta(
            conn,
            hlc=session.clock.last,
            last_sync=now_iso(),
            last_problem=result.problems[0] if result.problems else None,
        )
    result.seconds = time.perf_counter() - started
    return result


def record_problem(store: Store, problem: str) -> None:
    """Remember why the last sync failed (``--status`` and the TUI's line show it)."""
    with store.write():
        _set_meta(store.conn, last_problem=problem)


# ------------------------------------------------------------------- capture
class _Capture:
    """This device's changes since the last sync, as entries."""

    PAPERS_CHANGED = (
        "SELECT p.id FROM papers p LEFT JOIN sync_base b ON b.paper_id = p.id "
        "LEFT JOIN dismissed d ON d.paper_id = p.id "
        "WHERE b.paper_id IS NULL OR b.updated_at IS NOT p.updated_at "
        "OR b.added_at IS NOT p.added_at OR b.queue_pos IS NOT p.queue_pos "
        "OR b.dismissed_at IS NOT d.dismissed_at"
    )
    """Papers new, edited, moved in the queue or said (or no longer said) "not interested"
    since the last exchange: the label and the queue place are compared with the base, as
    neither moves ``updated_at`` (every write path is seen: CLI, TUI, undo, import)."""
    PAPERS_GONE = (
        "SELECT b.paper_id, b.uid FROM sync_base b "
        "WHERE NOT EXISTS (SELECT 1 FROM papers p WHERE p.id = b.paper_id) "
        "OR b.added_at IS NOT (SELECT added_at FROM papers p WHERE p.id = b.paper_id)"
    )
    REVS_CHANGED = (
        "SELECT r.id, r.paper_id FROM note_revisions r LEFT JOIN sync_revs s "
        "ON s.rev_id = r.id AND s.paper_id = r.paper_id "
        "WHERE s.rev_id IS NULL OR s.created_at IS NOT r.created_at"
    )
    TAG_STATE = (
        "SELECT pt.paper_id, 't', t.key, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
        "UNION ALL SELECT paper_id, 'x', tag_key, '' FROM rule_exclusions"
    )
    TAGS_CHANGED = (
        f"SELECT paper_id FROM (SELECT * FROM ({TAG_STATE}) EXCEPT "
        "SELECT paper_id, kind, key, name FROM sync_tags) "
        "UNION SELECT paper_id FROM (SELECT paper_id, kind, key, name FROM sync_tags "
        f"EXCEPT SELECT * FROM ({TAG_STATE}))"
    )
    """Papers whose tags or hand removals differ from what was last exchanged (whichever
    path wrote them: picker, CLI, rules on ingest, undo, a rename)."""
    SOURCES_NEW = (
        "SELECT ps.paper_id FROM paper_sources ps LEFT JOIN sync_sources s "
        "ON s.paper_id = ps.paper_id AND s.path = ps.path WHERE s.path IS NULL"
    )

    @classmethod
    def count_pending(cls, conn: sqlite3.Connection) -> int:
        """How many papers, saved views and rules have changes not sent yet (an upper
        bound: a paper whose ``updated_at`` moved with no field changed counts)."""
        ids = {int(r[0]) for r in conn.execute(cls.PAPERS_CHANGED)}
        ids.update(int(r[0]) for r in conn.execute(cls.REVS_CHANGED.replace("r.id, ", "")))
        ids.update(int(r[0]) for r in conn.execute(cls.SOURCES_NEW))
        ids.update(int(r[0]) for r in conn.execute(cls.TAGS_CHANGED))
        records = sum(1 for _ in _records_to_send(conn))
        return len(ids) + len(conn.execute(cls.PAPERS_GONE).fetchall()) + records


class _Session:
    """The state of one sync (one transaction)."""

    def __init__(
        self, store: Store, area: Folder, device: str, clock: HybridClock, result: SyncResult
    ) -> None:
        self.store = store
        self.conn = store.conn
        self.area = area
        self.device = device
        self.clock = clock
        self.result = result
        self.rebroadcast: set[int] = set()
        self.library_was_empty = False
        self.changed: set[int] = set()
        self.newest_seen: dict[str, str] = {}
        self.has_tombstones = _any_row(self.conn, "sync_tombstones")
        self.has_pending = _any_row(self.conn, "sync_pending")
        self.records_changed = False
        self.tags_moved = False
        self.new_rules: list[int] = []

    # ------------------------------------------------------------------ run
    def run(self, *, first: bool) -> None:
        """Capture and send this device's changes, then read every other device's news."""
        entries = list(self.capture())
        if entries:
            self.write_log(entries)
        self.library_was_empty = (
            self.conn.execute("SELECT 1 FROM papers LIMIT 1").fetchone() is None
        )
        known = self.conn.execute("SELECT 1 FROM sync_files LIMIT 1").fetchone() is not None
        if first or not known:
            self.read_newest_snapshot()
        for device in self.area.devices():
            if device != self.device:
                self.conn.execute(
                    "INSERT INTO sync_devices (id, name) VALUES (?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET name = excluded.name",
                    (device, self.area.device_name(device)),
                )
            if device == self.device:
                # Only conflict copies of this device's own logs are news here.
                files = [f for f in self.area.logs(device) if not is_clean_log(f.name)]
            else:
                files = self.area.logs(device)
            for log in files:
                self.read_log(log)
        if self.rebroadcast:
            self.write_log([self.bundle(pid) for pid in sorted(self.rebroadcast)])
        # What merging left invalid here is made valid, and sent at once with a stamp later
        # than everything read: every device ends with the same fixed state.
        if (self.changed or self.records_changed) and self.settle_merged():
            fixes = list(self.capture())
            if fixes:
                self.write_log(fixes)
        self.result.changed = len(self.changed)
        self.save_devices_seen()
        self.maybe_snapshot()

    # --------------------------------------------------------------- capture
    def capture(self) -> Iterator[dict[str, Any]]:
        """This device's changes since the last sync as entries (one stamp for them all); the
        base is moved on as they are taken, inside the sync's transaction."""
        conn = self.conn
        stamp: str | None = None

        def tick() -> str:
            nonlocal stamp
            if stamp is None:
                stamp = self.clock.tick()
            return stamp

        # Records first: a log's views and rules come before the tags their rules set.
        yield from self._capture_records(tick)
        for pid, uid in conn.execute(_Capture.PAPERS_GONE).fetchall():
            hlc = tick()
            self.forget_paper(int(pid))
            self.bury(str(uid), hlc)
            yield {"u": uid, "p": hlc}
        # What is in the library now came after every deletion above (a paper emptied from
        # the trash and ingested again): its changes take a later stamp than the deletions,
        # or the devices reading both would take the new copy for one older than its death.
        stamp = None
        papers = {int(r[0]) for r in conn.execute(_Capture.PAPERS_CHANGED)}
        revs: dict[int, list[int]] = {}
        for rid, pid in conn.execute(_Capture.REVS_CHANGED):
            revs.setdefault(int(pid), []).append(int(rid))
        sources = {int(r[0]) for r in conn.execute(_Capture.SOURCES_NEW)}
        tagged = {int(r[0]) for r in conn.execute(_Capture.TAGS_CHANGED)}
        candidates = sorted(papers | set(revs) | sources | tagged)
        for start in range(0, len(candidates), 500):
            chunk = candidates[start : start + 500]
            for entry in self._capture_chunk(chunk, revs, tagged, tick):
                if entry is not None:
                    yield entry

    def _capture_chunk(
        self,
        chunk: list[int],
        revs: dict[int, list[int]],
        tagged: set[int],
        tick: Callable[[], str],
    ) -> Iterator[dict[str, Any] | None]:
        conn = self.conn
        marks = ",".join("?" * len(chunk))
        columns = F.SELECT_COLUMNS
        rows = {
            int(r[0]): r[1:]
            for r in conn.execute(
                f"SELECT id, {columns}, updated_at FROM papers WHERE id IN ({marks})", chunk
            )
        }
        bases = {
            int(r[0]): (str(r[1]), json.loads(r[2]))
            for r in conn.execute(
                f"SELECT paper_id, uid, stamps FROM sync_base WHERE paper_id IN ({marks})", chunk
            )
        }
        for pid in chunk:
            row = rows.get(pid)
            if row is None:
                continue
            updated_at = str(row[-1])
            # Revisions first: the note's value names its current revision by uid.
            rev_entries = [self._capture_rev(rid, pid, tick) for rid in revs.get(pid, [])]
            base = bases.get(pid)
            # Tags are read only for papers whose tags moved (the others' are as exchanged).
            values = self._values(
                row[:-1], pid, base[1] if base is not None else {}, tags=pid in tagged
            )
            entry: dict[str, Any] = {}
            if base is None:
                uid = self._new_uid(pid, values["data"])
                stamps: dict[str, list[str]] = {}
                conn.execute(
                    "INSERT INTO sync_base (paper_id, uid, added_at, updated_at, stamps) "
                    "VALUES (?, ?, ?, ?, '{}')",
                    (pid, uid, values["data"][-1], updated_at),
                )
                conn.execute(
                    "INSERT OR REPLACE INTO sync_uids (uid, paper_id) VALUES (?, ?)", (uid, pid)
                )
            else:
                uid, stamps = base
            changed: dict[str, list[Any]] = {}
            for name, value in values.items():
                mark = F.digest(value)
                old = stamps.get(name)
                if old is None or old[1] != mark:
                    # A default a paper reached sync with is not an edit: stamped below
                    # every edit (the same on every device), an older edit made elsewhere
                    # still wins over it, whatever the devices' clocks and sync order.
                    untouched = base is None and F.UNTOUCHED.get(name, ...) == value
                    hlc = FLOOR if untouched else tick()
                    stamps[name] = [hlc, mark]
                    changed[name] = [hlc, value]
                    if name.startswith(F.TAG) and value[0] == 1:
                        self._newest_spelling(name[len(F.TAG) :], hlc)
            if values["deleted"][0] is not None and any(n in changed for n in F.EDIT_FIELDS):
                # Changed here while in the trash here (a rename, a fix by settling): the
                # paper is still deleted after that change, so the deletion takes the same
                # stamp and no device reads the change as an edit that brings it back.
                hlc = max(changed[n][0] for n in F.EDIT_FIELDS if n in changed)
                stamps["deleted"] = [hlc, F.digest(values["deleted"])]
                changed["deleted"] = [hlc, values["deleted"]]
            new_sources = [
                [n, p, s]
                for n, p, s in conn.execute(
                    "SELECT ps.name, ps.path, ps.seen_at FROM paper_sources ps "
                    "LEFT JOIN sync_sources s ON s.paper_id = ps.paper_id AND s.path = ps.path "
                    "WHERE ps.paper_id = ? AND s.path IS NULL",
                    (pid,),
                )
            ]
            conn.executemany(
                "INSERT OR IGNORE INTO sync_sources (paper_id, path) VALUES (?, ?)",
                [(pid, s[1]) for s in new_sources],
            )
            conn.execute(
                "UPDATE sync_base SET updated_at = ?, stamps = ?, queue_pos = "
                "(SELECT queue_pos FROM papers WHERE id = ?), dismissed_at = "
                "(SELECT dismissed_at FROM dismissed WHERE paper_id = ?) WHERE paper_id = ?",
                (updated_at, json.dumps(stamps), pid, pid, pid),
            )
            if pid in tagged:
                self._save_tag_base(pid)
            if not changed and not rev_entries and not new_sources:
                yield None
                continue
            entry["u"] = uid
            if base is None:
                entry["a"] = [uid]
            entry["f"] = changed
            if rev_entries:
                entry["r"] = rev_entries
            if new_sources:
                entry["s"] = new_sources
            yield entry

    def _values(
        self, row: Sequence[object], pid: int, stamps: dict[str, list[str]], *, tags: bool = True
    ) -> dict[str, Any]:
        """Every field of paper ``pid`` as it travels: its columns' fields, then (``tags``)
        one field per tag and hand removal it has, or had when last stamped (``[0]``)."""
        values: dict[str, Any] = {}
        at = 0
        for handler in F.FIELDS:
            part = list(row[at : at + len(handler.columns)])
            at += len(handler.columns)
            value = handler.read(part)
            if handler.name == F.NOTE:
                value = [value[0], self._rev_uid(value[1])]
            values[handler.name] = value
        if not tags:
            return values
        for name in stamps:
            if F.member_kind(name) is not None:
                values[name] = [0]
        for kind, key, tag_name in self.conn.execute(
            "SELECT 't', t.key, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
            "WHERE pt.paper_id = ? UNION ALL "
            "SELECT 'x', tag_key, '' FROM rule_exclusions WHERE paper_id = ?",
            (pid, pid),
        ):
            if kind == "t":
                values[F.TAG + str(key)] = [1, str(tag_name)]
            else:
                values[F.EXCLUDED + str(key)] = [1]
        return values

    def _save_tag_base(self, pid: int) -> None:
        """Remember paper ``pid``'s tags and removals as exchanged now."""
        self.conn.execute("DELETE FROM sync_tags WHERE paper_id = ?", (pid,))
        self.conn.execute(
            "INSERT OR IGNORE INTO sync_tags (paper_id, kind, key, name) "
            "SELECT pt.paper_id, 't', t.key, t.name FROM paper_tags pt "
            "JOIN tags t ON t.id = pt.tag_id WHERE pt.paper_id = ? UNION ALL "
            "SELECT paper_id, 'x', tag_key, '' FROM rule_exclusions WHERE paper_id = ?",
            (pid, pid),
        )

    # --------------------------------------------------------------- records
    def _capture_records(self, tick: Callable[[], str]) -> Iterator[dict[str, Any]]:
        """Views and rules added, changed or removed since the last exchange."""
        for uid, base, values in _records_to_send(self.conn):
            changed: dict[str, list[Any]] = {}
            for name, value in values.items():
                old = base.get(name)
                if old is None or old[1] != [value]:
                    hlc = tick()
                    base[name] = [hlc, [value]]
                    changed[name] = [hlc, [value]]
            if changed:
                self._save_record(uid, base)
                yield {"u": uid, "f": changed}

    def _save_record(self, uid: str, fields_: dict[str, list[Any]]) -> None:
        self.conn.execute(
            "INSERT INTO sync_records (uid, fields) VALUES (?, ?) "
            "ON CONFLICT (uid) DO UPDATE SET fields = excluded.fields",
            (uid, json.dumps(fields_, ensure_ascii=False)),
        )

    def apply_record(self, uid: str, kind: str, raw_fields: dict[str, Any]) -> None:
        """Merge a view's or rule's fields (each last-writer-wins) and make the table match."""
        row = self.conn.execute("SELECT fields FROM sync_records WHERE uid = ?", (uid,)).fetchone()
        base: dict[str, list[Any]] = {} if row is None else json.loads(row[0])
        moved = False
        for name, pair in raw_fields.items():
            if not isinstance(pair, list) or len(pair) != 2:
                raise ValueError(f"record field {name}: not [stamp, value]")
            hlc = _stamp(pair[0])
            value = F.validate_record_field(kind, name, pair[1])
            if value is None:
                continue
            self.clock.observe(hlc)
            self._note_device_hlc(hlc)
            old = base.get(name)
            if old is not None and hlc <= old[0]:
                continue
            base[name] = [hlc, [value]]
            moved = True
        if not moved:
            return
        self._save_record(uid, base)
        self.records_changed = True
        state = {n: v[1][0] for n, v in base.items()}
        if kind == "view:":
            self._materialize_view(uid, state)
        else:
            self._materialize_rule(uid, state)

    def _materialize_view(self, uid: str, state: dict[str, Any]) -> None:
        conn = self.conn
        rows = [
            (int(i), str(n))
            for i, n in conn.execute("SELECT id, name FROM views").fetchall()
            if f"view:{str(n).casefold()}" == uid
        ]
        complete = all(k in state for k in ("name", "query", "position"))
        if state.get("live") != 1 or not complete:
            for view_id, _ in rows:
                conn.execute("DELETE FROM views WHERE id = ?", (view_id,))
            return
        if rows:
            conn.execute(
                "UPDATE views SET name = ?, query = ?, position = ? WHERE id = ?",
                (state["name"], state["query"], state["position"], rows[0][0]),
            )
        else:
            conn.execute(
                "INSERT INTO views (name, query, position, created_at) VALUES (?, ?, ?, ?)",
                (state["name"], state["query"], state["position"], now_iso()),
            )

    def _materialize_rule(self, uid: str, state: dict[str, Any]) -> None:
        conn = self.conn
        rows = [
            int(i)
            for i, t, q, c in conn.execute("SELECT id, tag, query, created_at FROM rules")
            if _rule_uid(str(c), str(t), str(q)) == uid
        ]
        complete = all(k in state for k in ("tag", "query", "created"))
        if state.get("live") != 1 or not complete:
            for rule_id in rows:
                conn.execute("DELETE FROM rules WHERE id = ?", (rule_id,))
            return
        if rows:
            conn.execute(
                "UPDATE rules SET tag = ?, created_at = ? WHERE id = ?",
                (state["tag"], state["created"], rows[0]),
            )
            return
        cur = conn.execute(
            "INSERT INTO rules (tag, query, created_at) VALUES (?, ?, ?)",
            (state["tag"], state["query"], state["created"]),
        )
        self.new_rules.append(int(cur.lastrowid or 0))

    def _apply_member(self, pid: int, kind: str, name: str, hlc: str, value: list[Any]) -> None:
        """Add or remove one tag (or hand removal) of a paper, and remember it as exchanged."""
        conn = self.conn
        if kind == "t":
            key = name[len(F.TAG) :]
            if value[0] == 1:
                row = conn.execute("SELECT id FROM tags WHERE key = ?", (key,)).fetchone()
                if row is None:
                    tid = int(
                        conn.execute(
                            "INSERT INTO tags (name, key) VALUES (?, ?)", (value[1], key)
                        ).lastrowid
                        or 0
                    )
                else:
                    tid = int(row[0])
                if self._newest_spelling(key, hlc):
                    conn.execute("UPDATE tags SET name = ? WHERE id = ?", (value[1], tid))
                conn.execute(
                    "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) VALUES (?, ?)", (pid, tid)
                )
                conn.execute(
                    "INSERT OR REPLACE INTO sync_tags (paper_id, kind, key, name) "
                    "VALUES (?, 't', ?, (SELECT name FROM tags WHERE id = ?))",
                    (pid, key, tid),
                )
            else:
                conn.execute(
                    "DELETE FROM paper_tags WHERE paper_id = ? AND tag_id IN "
                    "(SELECT id FROM tags WHERE key = ?)",
                    (pid, key),
                )
                conn.execute(
                    "DELETE FROM sync_tags WHERE paper_id = ? AND kind = 't' AND key = ?",
                    (pid, key),
                )
        else:
            key = name[len(F.EXCLUDED) :]
            if value[0] == 1:
                conn.execute(
                    "INSERT OR IGNORE INTO rule_exclusions (tag_key, paper_id) VALUES (?, ?)",
                    (key, pid),
                )
                conn.execute(
                    "INSERT OR IGNORE INTO sync_tags (paper_id, kind, key, name) "
                    "VALUES (?, 'x', ?, '')",
                    (pid, key),
                )
            else:
                conn.execute(
                    "DELETE FROM rule_exclusions WHERE tag_key = ? AND paper_id = ?", (key, pid)
                )
                conn.execute(
                    "DELETE FROM sync_tags WHERE paper_id = ? AND kind = 'x' AND key = ?",
                    (pid, key),
                )
        self.tags_moved = True

    def _newest_spelling(self, key: str, hlc: str) -> bool:
        """Whether a tag spelled at ``hlc`` is the newest spelling of tag ``key`` seen (it
        is then remembered as such)."""
        row = self.conn.execute("SELECT hlc FROM sync_tag_names WHERE key = ?", (key,)).fetchone()
        if row is not None and hlc <= str(row[0]):
            return False
        self.conn.execute(
            "INSERT INTO sync_tag_names (key, hlc) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET hlc = excluded.hlc",
            (key, hlc),
        )
        return True

    def settle_merged(self) -> bool:
        """Make what merging produced obey the library's rules, the same way on every device:
        rules that arrived tag the papers they select here; a tag removed by hand is not on
        the paper (a rule elsewhere that had not seen the removal does not put it back); only
        to-read papers hold a queue place; no two queued papers share one (ties are spread by
        their uid, an order every device agrees on). Returns whether anything moved."""
        from readq import rules, tags

        conn = self.conn
        before = conn.total_changes
        if self.new_rules:
            wanted = set(self.new_rules)
            found = [r for r in rules.rules(conn) if r.id in wanted]
            if found:
                rules.apply_all(self.store, conn, found)
            self.new_rules = []
        if self.tags_moved or self.records_changed:
            conn.execute(
                "DELETE FROM paper_tags WHERE EXISTS (SELECT 1 FROM rule_exclusions e "
                "JOIN tags t ON t.key = e.tag_key WHERE t.id = paper_tags.tag_id "
                "AND e.paper_id = paper_tags.paper_id)"
            )
            tags.drop_unused(conn)
        if (
            self.records_changed
            and conn.execute(
                "SELECT 1 FROM views GROUP BY position HAVING count(*) > 1 LIMIT 1"
            ).fetchone()
        ):
            # Two devices each saved a view at the end of the tabs: the tabs are numbered
            # again by place then name, an order every device agrees on.
            ordered = sorted(
                conn.execute("SELECT id, name, position FROM views").fetchall(),
                key=lambda r: (r[2], str(r[1]).casefold()),
            )
            conn.executemany(
                "UPDATE views SET position = ? WHERE id = ?",
                [(n, r[0]) for n, r in enumerate(ordered, start=1)],
            )
        changed = sorted(self.changed)
        if changed:
            # The store's own queue rule (a to-read paper has a place, no other one does).
            self.store._settle_queue(conn, changed)
        ties = conn.execute(
            "SELECT queue_pos FROM papers WHERE queue_pos IS NOT NULL AND deleted_at IS NULL "
            "GROUP BY queue_pos HAVING count(*) > 1"
        ).fetchall()
        for (pos,) in ties:
            (after,) = conn.execute(
                "SELECT min(queue_pos) FROM papers WHERE queue_pos > ?", (pos,)
            ).fetchone()
            gap = 1.0 if after is None else float(after) - float(pos)
            group = conn.execute(
                "SELECT p.id FROM papers p JOIN sync_base b ON b.paper_id = p.id "
                "WHERE p.queue_pos = ? AND p.deleted_at IS NULL ORDER BY b.uid",
                (pos,),
            ).fetchall()
            step = gap / (len(group) + 1)
            for n, (pid,) in enumerate(group[1:], start=1):
                conn.execute(
                    "UPDATE papers SET queue_pos = ? WHERE id = ?", (float(pos) + n * step, pid)
                )
        moved = conn.total_changes != before
        if self.tags_moved or moved:
            tags.touch(conn)  # a running search index forgets the tag sets it keeps
        return moved

    def _rev_uid(self, rev_id: object) -> str | None:
        if rev_id is None:
            return None
        row = self.conn.execute("SELECT uid FROM sync_revs WHERE rev_id = ?", (rev_id,)).fetchone()
        return None if row is None else str(row[0])

    def _capture_rev(self, rid: int, pid: int, tick: Callable[[], str]) -> dict[str, Any]:
        conn = self.conn
        text, created, kind, base = conn.execute(
            "SELECT text, created_at, kind, base_revision FROM note_revisions WHERE id = ?", (rid,)
        ).fetchone()
        row = conn.execute(
            "SELECT uid FROM sync_revs WHERE rev_id = ? AND paper_id = ?", (rid, pid)
        ).fetchone()
        uid = str(row[0]) if row is not None else f"{self.device}:{rid}"
        hlc = tick()
        conn.execute(
            "INSERT OR REPLACE INTO sync_revs (rev_id, uid, paper_id, hlc, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (rid, uid, pid, hlc, created),
        )
        return {"u": uid, "h": hlc, "t": text, "c": created, "k": kind, "b": self._rev_uid(base)}

    def _new_uid(self, pid: int, data: list[Any]) -> str:
        """A paper's id across devices: its arXiv id, else its dedupe key, else one of its
        own (taken when another paper here already holds the first two)."""
        index = dict(zip(F.DATA_COLUMNS, data, strict=True))
        arxiv = index.get("arxiv_id")
        candidates = []
        if arxiv:
            candidates.append(f"arxiv:{arxiv}")
        else:
            title = self.conn.execute(
                "SELECT title_derived FROM papers WHERE id = ?", (pid,)
            ).fetchone()
            key = identity_key(
                str(index["title_key"]), str(index["abstract_key"]), title_derived=bool(title[0])
            )
            if key:
                candidates.append(f"key:{key}")
        for uid in candidates:
            taken = self.conn.execute(
                "SELECT paper_id FROM sync_uids WHERE uid = ?", (uid,)
            ).fetchone()
            if taken is None or int(taken[0]) == pid:
                return uid
        return f"dev:{self.device}:{pid}"

    def forget_paper(self, pid: int) -> None:
        """Drop the sync records of a paper that is gone (or whose id was reused)."""
        for table in ("sync_base", "sync_uids", "sync_revs", "sync_sources", "sync_tags"):
            self.conn.execute(f"DELETE FROM {table} WHERE paper_id = ?", (pid,))

    # ----------------------------------------------------------------- write
    def write_log(self, entries: list[dict[str, Any]]) -> None:
        """Write ``entries`` as this device's next log (whole or not at all)."""
        directory = self.area.device_dir(self.device)
        directory.mkdir(parents=True, exist_ok=True)
        number = self.area.next_log_number(self.device)
        path = directory / f"log-{number:06d}.jsonl"
        write_lines_atomic(path, _encode(entries))
        self.result.sent += len(entries)
        meta = _meta(self.conn)
        since = int(meta.get("since_snapshot", "0")) + len(entries)
        _set_meta(self.conn, since_snapshot=str(since))

    def maybe_snapshot(self) -> None:
        """Write a snapshot once enough was logged since the last one."""
        meta = _meta(self.conn)
        since = int(meta.get("since_snapshot", "0"))
        papers = int(self.conn.execute("SELECT count(*) FROM sync_base").fetchone()[0])
        if since < max(SNAPSHOT_MIN_ENTRIES, papers // 4):
            return
        self.write_snapshot()

    def write_snapshot(self) -> None:
        """Every paper, deletion and waiting entry this library holds, with the logs it
        covers: a new device reads this instead of replaying every log."""
        covers = self.area.next_log_number(self.device) - 1
        cursors: dict[str, dict[str, int]] = {}
        for device, name, lines in self.conn.execute("SELECT device, name, lines FROM sync_files"):
            cursors.setdefault(str(device), {})[str(name)] = int(lines)
        header = {
            "snapshot": 1,
            "device": self.device,
            "hlc": self.clock.last,
            "covers": covers,
            "cursors": cursors,
        }

        def snapshot_lines() -> Iterator[bytes]:
            yield json.dumps(header).encode() + b"\n"
            pids = [int(r[0]) for r in self.conn.execute("SELECT paper_id FROM sync_base")]
            for start in range(0, len(pids), 500):
                yield from _encode(self.bundle(pid) for pid in pids[start : start + 500])
            for uid, raw in self.conn.execute("SELECT uid, fields FROM sync_records").fetchall():
                yield from _encode([{"u": uid, "f": json.loads(raw)}])
            for uid, hlc in self.conn.execute("SELECT uid, hlc FROM sync_tombstones").fetchall():
                yield from _encode([{"u": uid, "p": hlc}])
            for (entry,) in self.conn.execute("SELECT entry FROM sync_pending").fetchall():
                yield str(entry).encode() + b"\n"

        directory = self.area.device_dir(self.device)
        path = directory / f"snapshot-{covers:06d}.jsonl.gz"
        write_lines_atomic(path, snapshot_lines(), compress=True)
        for _, old in self.area.snapshots(self.device)[2:]:
            old.unlink(missing_ok=True)  # the newest two stay: one may still be copying
        _set_meta(self.conn, since_snapshot="0")
        self.result.snapshot = str(path)

    def bundle(self, pid: int) -> dict[str, Any]:
        """A paper whole, with the stamps it has here (a snapshot line, or a paper sent
        again because an edit here outlived its deletion for good elsewhere)."""
        conn = self.conn
        columns = F.SELECT_COLUMNS
        row = conn.execute(f"SELECT {columns} FROM papers WHERE id = ?", (pid,)).fetchone()
        uid, raw = conn.execute(
            "SELECT uid, stamps FROM sync_base WHERE paper_id = ?", (pid,)
        ).fetchone()
        stamps = json.loads(raw)
        values = self._values(row, pid, stamps)
        fields_ = {n: [stamps[n][0], v] for n, v in values.items() if n in stamps}
        aliases = [
            str(r[0])
            for r in conn.execute(
                "SELECT uid FROM sync_uids WHERE paper_id = ? ORDER BY uid", (pid,)
            )
        ]
        revs = []
        for ruid, hlc, text, created, kind, base in conn.execute(
            "SELECT s.uid, s.hlc, r.text, r.created_at, r.kind, r.base_revision "
            "FROM note_revisions r JOIN sync_revs s ON s.rev_id = r.id "
            "WHERE r.paper_id = ? ORDER BY r.id",
            (pid,),
        ).fetchall():
            revs.append(
                {"u": ruid, "h": hlc, "t": text, "c": created, "k": kind, "b": self._rev_uid(base)}
            )
        sources = [
            list(r)
            for r in conn.execute(
                "SELECT name, path, seen_at FROM paper_sources WHERE paper_id = ?", (pid,)
            )
        ]
        entry: dict[str, Any] = {"u": uid, "a": aliases, "f": fields_}
        if revs:
            entry["r"] = revs
        if sources:
            entry["s"] = sources
        return entry

    # ------------------------------------------------------------------ read
    def read_newest_snapshot(self) -> None:
        """A library new to the folder starts from the newest snapshot there."""
        best: tuple[str, Path, dict[str, Any]] | None = None
        for device in self.area.devices():
            if device == self.device:
                continue
            for _, path in self.area.snapshots(device):
                header = read_snapshot_header(path)
                if header is None:
                    continue  # still being copied: an older one, or the logs, will do
                if best is None or str(header.get("hlc", "")) > best[0]:
                    best = (str(header.get("hlc", "")), path, header)
                break
        if best is None:
            return
        _, path, header = best
        lines = read_snapshot(path)
        if lines is None:
            return
        self.apply_lines(path.name, lines)
        device = str(header["device"])
        covers = int(header.get("covers", 0))
        marks: list[tuple[str, str, int]] = []
        for log in self.area.logs(device):
            if log.number <= covers and is_clean_log(log.name):
                marks.append((device, log.name, ALL_LINES))
        cursors = header.get("cursors", {})
        if isinstance(cursors, dict):
            for other, files in cursors.items():
                if isinstance(files, dict):
                    marks.extend((str(other), str(n), int(c)) for n, c in files.items())
        for device_, name, lines_read in marks:
            self.conn.execute(
                "INSERT INTO sync_files (device, name, lines) VALUES (?, ?, ?) "
                "ON CONFLICT (device, name) DO UPDATE SET lines = max(lines, excluded.lines)",
                (device_, name, lines_read),
            )

    def read_log(self, log: LogFile) -> None:
        """Apply the lines of one log not read yet, and remember how far it was read."""
        row = self.conn.execute(
            "SELECT lines FROM sync_files WHERE device = ? AND name = ?", (log.device, log.name)
        ).fetchone()
        done = int(row[0]) if row is not None else 0
        if done >= ALL_LINES:
            return
        last = done
        batch: list[Line] = []
        for line in read_lines(log.path, done):
            batch.append(line)
            last = line.number
            if len(batch) >= 2000:
                self.apply_lines(f"{log.device}/{log.name}", batch)
                batch = []
        if batch:
            self.apply_lines(f"{log.device}/{log.name}", batch)
        if last != done or row is None:
            self.conn.execute(
                "INSERT INTO sync_files (device, name, lines) VALUES (?, ?, ?) "
                "ON CONFLICT (device, name) DO UPDATE SET lines = excluded.lines",
                (log.device, log.name, last),
            )
        if last != done and log.device != self.device:
            self._saw_device(log.device)

    def _saw_device(self, device: str) -> None:
        name = self.area.device_name(device)
        self.conn.execute(
            "INSERT INTO sync_devices (id, name, last_seen, last_hlc) VALUES (?, ?, ?, NULL) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, last_seen = excluded.last_seen",
            (device, name, now_iso()),
        )

    def apply_lines(self, where: str, lines: Iterable[Line]) -> None:
        """Apply entries one by one, each in a savepoint: a bad one is named and skipped
        without leaving half of it behind."""
        for line in lines:
            self.result.received += 1
            if line.entry is None:
                self.result.problems.append(f"{where}:{line.number}: {line.problem}; skipped")
                continue
            try:
                with self.store.atomic():
                    self.apply(line.entry)
            except (ValueError, TypeError, KeyError, IndexError, sqlite3.IntegrityError) as exc:
                detail = (
                    f"missing {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)
                ) or type(exc).__name__
                self.result.problems.append(f"{where}:{line.number}: {detail}; skipped")

    # ----------------------------------------------------------------- apply
    def apply(self, entry: dict[str, Any]) -> None:
        """Apply one entry: a deletion for good, or fields, revisions and sources of a paper
        (made here when new, matched by identity, or kept waiting until its paper arrives)."""
        uid = entry["u"]
        if "p" in entry:
            hlc = _stamp(entry["p"])
            self.clock.observe(hlc)
            self._note_device_hlc(hlc)
            self.apply_purge(uid, hlc)
            return
        raw_fields = entry.get("f", {})
        if not isinstance(raw_fields, dict):
            raise ValueError("fields are not an object")
        if not isinstance(uid, str):
            raise ValueError("an entry's uid is not text")
        kind = F.record_kind(uid)
        if kind is not None:
            self.apply_record(uid, kind, raw_fields)
            return
        incoming: dict[str, tuple[str, Any]] = {}
        for name, pair in raw_fields.items():
            if not isinstance(pair, list) or len(pair) != 2:
                raise ValueError(f"field {name}: not [stamp, value]")
            hlc = _stamp(pair[0])
            if F.member_kind(name) is not None:
                incoming[name] = (hlc, F.validate_member(name, pair[1]))
                continue
            handler = F.BY_NAME.get(name)
            if handler is None:
                continue  # a kind of state this readq does not know: left for a newer one
            incoming[name] = (hlc, handler.validate(pair[1]))
        if incoming:  # observing the newest stamp is observing them all
            newest_stamp = max(h for h, _ in incoming.values())
            self.clock.observe(newest_stamp)
            self._note_device_hlc(newest_stamp)
        uids = list(dict.fromkeys([uid, *(a for a in entry.get("a", []) if isinstance(a, str))]))
        pid = self.lookup(uids)
        new_uids: list[str] = []
        created = False
        if pid is None:
            tomb = self.tombstone(uids)
            newest = max((h for h, _ in incoming.values()), default="")
            if tomb is not None and newest <= tomb:
                return  # older than its deletion for good: nothing to do
            if "data" not in incoming:
                self.conn.execute(
                    "INSERT INTO sync_pending (uid, entry) VALUES (?, ?)",
                    (uid, json.dumps(entry, ensure_ascii=False)),
                )
                self.has_pending = True
                return
            pid = None if self.library_was_empty else self.match(incoming["data"][1])
            if pid is None:
                pid, created = self.create(uid, incoming), True
        for alias in uids:
            known = (
                None
                if created  # a paper made just now: none of its uids is known (lookup said)
                else self.conn.execute(
                    "SELECT paper_id FROM sync_uids WHERE uid = ?", (alias,)
                ).fetchone()
            )
            if known is None:
                self.conn.execute(
                    "INSERT INTO sync_uids (uid, paper_id) VALUES (?, ?)", (alias, pid)
                )
                new_uids.append(alias)
        self.apply_to(pid, entry, incoming, created=created)
        if not self.has_pending:
            return
        for alias in new_uids:
            waiting = self.conn.execute(
                "SELECT id, entry FROM sync_pending WHERE uid = ? ORDER BY id", (alias,)
            ).fetchall()
            for row_id, text in waiting:
                self.conn.execute("DELETE FROM sync_pending WHERE id = ?", (row_id,))
                self.apply(json.loads(text))

    def _note_device_hlc(self, stamp: str) -> None:
        if stamp == FLOOR:
            return  # no device's change: an untouched default
        device = parse(stamp)[2]
        if device != self.device and stamp > self.newest_seen.get(device, ""):
            self.newest_seen[device] = stamp

    def save_devices_seen(self) -> None:
        """The newest stamp read from each device (``--status``: its newest change)."""
        for device, stamp in self.newest_seen.items():
            self.conn.execute(
                "INSERT INTO sync_devices (id, name, last_seen, last_hlc) VALUES (?, ?, NULL, ?) "
                "ON CONFLICT (id) DO UPDATE SET "
                "last_hlc = max(coalesce(last_hlc, ''), excluded.last_hlc)",
                (device, device, stamp),
            )

    def lookup(self, uids: Sequence[str]) -> int | None:
        """The local paper that one of these uids names."""
        for uid in uids:
            row = self.conn.execute(
                "SELECT paper_id FROM sync_uids WHERE uid = ?", (uid,)
            ).fetchone()
            if row is not None:
                return int(row[0])
        return None

    def bury(self, uid: str, hlc: str) -> None:
        """Remember that ``uid`` was deleted for good at ``hlc`` (the latest deletion wins).

        Every tombstone is written here so that ``has_tombstones`` (which spares the lookup
        while a library has none) is true as soon as one exists: a deletion captured at the
        start of a sync must already stop an older entry read later in the same sync from
        making the paper again, as it does on every device that reads the deletion."""
        self.conn.execute(
            "INSERT INTO sync_tombstones (uid, hlc) VALUES (?, ?) "
            "ON CONFLICT (uid) DO UPDATE SET hlc = max(hlc, excluded.hlc)",
            (uid, hlc),
        )
        self.has_tombstones = True

    def tombstone(self, uids: Sequence[str]) -> str | None:
        """The latest deletion for good of any of these uids."""
        if not self.has_tombstones:
            return None
        found = [
            str(r[0])
            for uid in uids
            for r in self.conn.execute("SELECT hlc FROM sync_tombstones WHERE uid = ?", (uid,))
        ]
        return max(found, default=None)

    def match(self, data: list[Any]) -> int | None:
        """The paper of this library that a paper new to it is (ingested on two devices)."""
        index = dict(zip(F.DATA_COLUMNS, data, strict=True))
        scraped = tuple(index.get(c, "" if c == "title" else 0) for c in SCRAPED_COLUMNS)
        paper = paper_of_row(scraped)
        found = self.store.match(paper, str(index["title_key"]), str(index["abstract_key"] or ""))
        return found.paper_id

    def create(self, uid: str, incoming: dict[str, tuple[str, Any]]) -> int:
        """A paper new to this library, from an entry that carries its scraped data."""
        data = incoming["data"][1]
        title = incoming.get("title", ("", ["(untitled)", 0]))[1]
        columns = ", ".join(F.DATA_COLUMNS)
        marks = ", ".join("?" * (len(F.DATA_COLUMNS) + 3))
        cur = self.conn.execute(
            f"INSERT INTO papers ({columns}, title, title_derived, updated_at) VALUES ({marks})",
            (*data, title[0], title[1], now_iso()),
        )
        pid = int(cur.lastrowid or 0)
        self.conn.execute(
            "INSERT INTO sync_base (paper_id, uid, added_at, updated_at, stamps) "
            "VALUES (?, ?, ?, '', '{}')",
            (pid, uid, data[-1]),
        )
        return pid

    def apply_to(
        self,
        pid: int,
        entry: dict[str, Any],
        incoming: dict[str, tuple[str, Any]],
        *,
        created: bool = False,
    ) -> None:
        """Apply an entry's revisions, fields (those stamped later than here) and sources to
        paper ``pid``; a paper whose state moved gets a new ``updated_at`` (the TUI refreshes)."""
        conn = self.conn
        stamps: dict[str, list[str]] = (
            {}
            if created
            else json.loads(
                conn.execute("SELECT stamps FROM sync_base WHERE paper_id = ?", (pid,)).fetchone()[
                    0
                ]
            )
        )
        touched = created
        for rev in entry.get("r", []):
            touched |= self.apply_rev(pid, rev)
        assignments: list[tuple[str, object]] = []
        for name, (hlc, value) in incoming.items():
            old = stamps.get(name)
            if name == F.NOTE:
                self.check_note_conflict(pid, old, hlc, value)
            if old is not None and hlc <= old[0]:
                continue
            member = F.member_kind(name)
            if member is not None:
                self._apply_member(pid, member, name, hlc, value)
                stamps[name] = [hlc, F.digest(value)]
                touched = True
                continue
            if name == F.DISMISSED:
                if not (created and value[0] is None):  # a paper made now has no label
                    self._apply_dismissed(pid, value[0])
                stamps[name] = [hlc, F.digest(value)]
                touched = True
                continue
            handler = F.BY_NAME[name]
            stored = value
            if name == F.NOTE:
                stored = [value[0], self._rev_id(value[1])]
            assignments.extend(zip(handler.columns, stored, strict=True))
            stamps[name] = [hlc, F.digest(value)]
            touched = True
        if assignments:  # every winning field in one statement (a join writes 100k papers)
            conn.execute(
                f"UPDATE papers SET {', '.join(f'{c} = ?' for c, _ in assignments)} WHERE id = ?",
                (*(v for _, v in assignments), pid),
            )
        for source in entry.get("s", []):
            touched |= self.apply_source(pid, source, created=created)
        touched |= self.revive_if_edited(pid, stamps)
        if touched:
            stamp = now_iso()
            conn.execute("UPDATE papers SET updated_at = ? WHERE id = ?", (stamp, pid))
            # added_at travels with the data: the base follows, or the paper would look
            # like a new one under a reused id at the next capture.
            conn.execute(
                "UPDATE sync_base SET updated_at = ?, stamps = ?, "
                "added_at = (SELECT added_at FROM papers WHERE id = ?), "
                "queue_pos = (SELECT queue_pos FROM papers WHERE id = ?), "
                "dismissed_at = (SELECT dismissed_at FROM dismissed WHERE paper_id = ?) "
                "WHERE paper_id = ?",
                (stamp, json.dumps(stamps), pid, pid, pid, pid),
            )
            self.changed.add(pid)

    def _apply_dismissed(self, pid: int, at: str | None) -> None:
        """Say "not interested" in paper ``pid`` since ``at`` (as the winning device said
        it), or take it back (``None``)."""
        if at is None:
            self.conn.execute("DELETE FROM dismissed WHERE paper_id = ?", (pid,))
        else:
            self.conn.execute(
                "INSERT INTO dismissed (paper_id, dismissed_at) VALUES (?, ?) "
                "ON CONFLICT (paper_id) DO UPDATE SET dismissed_at = excluded.dismissed_at",
                (pid, at),
            )

    def revive_if_edited(self, pid: int, stamps: dict[str, list[str]]) -> bool:
        """A paper deleted on one device and edited later on another comes back."""
        deleted = stamps.get("deleted")
        if deleted is None or deleted[1] == _NOT_DELETED:
            return False
        row = self.conn.execute(
            "SELECT deleted_at, title FROM papers WHERE id = ?", (pid,)
        ).fetchone()
        if row[0] is None:
            return False
        if not any(stamps.get(n, [""])[0] > deleted[0] for n in F.EDIT_FIELDS):
            return False
        self.conn.execute("UPDATE papers SET deleted_at = NULL WHERE id = ?", (pid,))
        stamps["deleted"] = [deleted[0], F.digest([None])]
        self._tell_revived(str(row[1]))
        return True

    def _tell_revived(self, title: str) -> None:
        if title not in self.result.revived:
            self.result.revived.append(title)

    def _rev_id(self, uid: object) -> int | None:
        if uid is None:
            return None
        row = self.conn.execute("SELECT rev_id FROM sync_revs WHERE uid = ?", (uid,)).fetchone()
        return None if row is None else int(row[0])

    def apply_rev(self, pid: int, rev: dict[str, Any]) -> bool:
        """Add a note revision, or update one that was edited later (a coalesced autosave)."""
        if not isinstance(rev, dict):
            raise ValueError("a note revision is not an object")
        uid, hlc, text, created, kind = rev["u"], _stamp(rev["h"]), rev["t"], rev["c"], rev["k"]
        if not all(isinstance(v, str) for v in (uid, text, created, kind)):
            raise ValueError("a note revision field is not text")
        self.clock.observe(hlc)
        conn = self.conn
        row = conn.execute("SELECT rev_id, hlc FROM sync_revs WHERE uid = ?", (uid,)).fetchone()
        if row is None:
            cur = conn.execute(
                "INSERT INTO note_revisions (paper_id, text, created_at, kind, base_revision) "
                "VALUES (?, ?, ?, ?, ?)",
                (pid, text, created, kind, self._rev_id(rev.get("b"))),
            )
            conn.execute(
                _INSERT_REV,
                (cur.lastrowid, uid, pid, hlc, created),
            )
            return True
        if hlc <= str(row[1]):
            return False
        conn.execute(
            "UPDATE note_revisions SET text = ?, created_at = ?, kind = ? WHERE id = ?",
            (text, created, kind, row[0]),
        )
        conn.execute(
            "UPDATE sync_revs SET hlc = ?, created_at = ? WHERE rev_id = ?", (hlc, created, row[0])
        )
        return True

    def check_note_conflict(
        self, pid: int, old: list[str] | None, hlc: str, value: list[Any]
    ) -> None:
        """Two devices edited one note at once: the later stays current, the other is kept
        as a ``conflict`` revision (the same one on every device: its id is derived)."""
        if old is None or hlc == old[0]:
            return
        text, rev_id = self.conn.execute(
            "SELECT note, note_revision FROM papers WHERE id = ?", (pid,)
        ).fetchone()
        if text == value[0] or not text or not value[0]:
            return
        local_uid = self._rev_uid(rev_id)
        incoming_uid = value[1]
        if local_uid is None or incoming_uid is None:
            return
        if self._descends(incoming_uid, local_uid) or self._descends(local_uid, incoming_uid):
            return
        loser_uid, loser_text = (incoming_uid, value[0]) if hlc < old[0] else (local_uid, text)
        loser_hlc = min(hlc, old[0])
        conflict_uid = f"conflict:{loser_uid}"
        if self._rev_id(conflict_uid) is None:
            loser_id = self._rev_id(loser_uid)
            created_row = self.conn.execute(
                "SELECT created_at FROM note_revisions WHERE id = ?", (loser_id,)
            ).fetchone()
            created = str(created_row[0]) if created_row else now_iso()
            cur = self.conn.execute(
                "INSERT INTO note_revisions (paper_id, text, created_at, kind, base_revision) "
                "VALUES (?, ?, ?, 'conflict', ?)",
                (pid, loser_text, created, loser_id),
            )
            self.conn.execute(
                _INSERT_REV,
                (cur.lastrowid, conflict_uid, pid, loser_hlc, created),
            )
        title = self.conn.execute("SELECT title FROM papers WHERE id = ?", (pid,)).fetchone()[0]
        if str(title) not in self.result.conflicts:
            self.result.conflicts.append(str(title))

    def _descends(self, uid: str, ancestor: str) -> bool:
        """Whether revision ``uid`` was written on top of ``ancestor`` (or is it)."""
        current = self._rev_id(uid)
        target = self._rev_id(ancestor)
        if current is None or target is None:
            return False
        for _ in range(10_000):
            if current == target:
                return True
            row = self.conn.execute(
                "SELECT base_revision FROM note_revisions WHERE id = ?", (current,)
            ).fetchone()
            if row is None or row[0] is None:
                return False
            current = int(row[0])
        return False

    def apply_source(self, pid: int, source: list[Any], *, created: bool = False) -> bool:
        """Add a listing the paper was seen in (the earliest sighting wins)."""
        if not isinstance(source, list) or len(source) != 3:
            raise ValueError("a source is not [name, path, seen_at]")
        name, path, seen = source
        if not all(isinstance(v, str) for v in source):
            raise ValueError("a source field is not text")
        conn = self.conn
        conn.execute(
            "INSERT OR IGNORE INTO sync_sources (paper_id, path) VALUES (?, ?)", (pid, path)
        )
        row = (
            None
            if created
            else conn.execute(
                "SELECT seen_at FROM paper_sources WHERE paper_id = ? AND path = ?", (pid, path)
            ).fetchone()
        )
        if row is None:
            conn.execute(
                "INSERT INTO paper_sources (paper_id, name, path, seen_at) VALUES (?, ?, ?, ?)",
                (pid, name, path, seen),
            )
            return True
        if seen < str(row[0]):  # the first sighting wins, whatever the order of arrival
            conn.execute(
                "UPDATE paper_sources SET name = ?, seen_at = ? WHERE paper_id = ? AND path = ?",
                (name, seen, pid, path),
            )
            return True
        return False

    def apply_purge(self, uid: str, hlc: str) -> None:
        """A paper deleted for good on another device: gone here too, unless edited here
        after that (then it stays and is sent whole again)."""
        conn = self.conn
        self.bury(uid, hlc)
        pid = self.lookup([uid])
        if pid is None:
            return
        stamps = json.loads(
            conn.execute("SELECT stamps FROM sync_base WHERE paper_id = ?", (pid,)).fetchone()[0]
        )
        if any(stamps.get(n, [""])[0] > hlc for n in F.EDIT_FIELDS):
            # Edited here after it was deleted for good there: it stays, and is sent whole
            # so the devices that deleted it get it back.
            stamps["deleted"] = [max(stamps.get("deleted", [""])[0], hlc), F.digest([None])]
            title = conn.execute("SELECT title FROM papers WHERE id = ?", (pid,)).fetchone()[0]
            conn.execute(
                "UPDATE papers SET deleted_at = NULL, updated_at = ? WHERE id = ?", (now_iso(), pid)
            )
            conn.execute(
                "UPDATE sync_base SET stamps = ?, updated_at = "
                "(SELECT updated_at FROM papers WHERE id = ?) WHERE paper_id = ?",
                (json.dumps(stamps), pid, pid),
            )
            self._tell_revived(str(title))
            self.rebroadcast.add(pid)
            return
        for alias in conn.execute(
            "SELECT uid FROM sync_uids WHERE paper_id = ?", (pid,)
        ).fetchall():
            self.bury(str(alias[0]), hlc)
        conn.execute("DELETE FROM note_revisions WHERE paper_id = ?", (pid,))
        conn.execute("DELETE FROM paper_sources WHERE paper_id = ?", (pid,))
        conn.execute("DELETE FROM papers WHERE id = ?", (pid,))
        self.forget_paper(pid)
        self.changed.add(pid)


_NOT_DELETED = F.digest([None])
"""The digest of the ``deleted`` field of a paper outside the trash."""


def _records_here(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """The saved views and rules of the library, by uid, as their fields travel."""
    found: dict[str, dict[str, Any]] = {}
    for name, query, position in conn.execute("SELECT name, query, position FROM views"):
        found[f"view:{str(name).casefold()}"] = {
            "live": 1,
            "name": str(name),
            "query": str(query),
            "position": position,
        }
    for tag, query, created in conn.execute("SELECT tag, query, created_at FROM rules"):
        uid = _rule_uid(str(created), str(tag), str(query))
        found[uid] = {"live": 1, "tag": str(tag), "query": str(query), "created": str(created)}
    return found


def _records_to_send(
    conn: sqlite3.Connection,
) -> Iterator[tuple[str, dict[str, list[Any]], dict[str, Any]]]:
    """``(uid, fields as last exchanged, values now)`` of each view and rule whose values
    moved since (a removed one is ``{"live": 0}`` now)."""
    current = _records_here(conn)
    bases = {
        str(u): json.loads(raw) for u, raw in conn.execute("SELECT uid, fields FROM sync_records")
    }
    for uid in sorted(set(current) | set(bases)):
        base: dict[str, list[Any]] = bases.get(uid, {})
        values = current.get(uid, {"live": 0})
        if any(base.get(n) is None or base[n][1] != [v] for n, v in values.items()):
            yield uid, base, values


def _rule_uid(created: str, tag: str, query: str) -> str:
    """A rule's id across devices: when it was made, its tag (key) and its query. A rename
    of its tag makes it another rule (the old one removed), as the tags it set move too."""
    from readq.tags import tag_key

    return f"rule:{created}:{tag_key(tag)}:{query}"


def _any_row(conn: sqlite3.Connection, table: str) -> bool:
    return conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None


_INSERT_REV = (
    "INSERT INTO sync_revs (rev_id, uid, paper_id, hlc, created_at) VALUES (?, ?, ?, ?, ?)"
)


def _stamp(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("a clock stamp is not text")
    parse(value)
    return value


def _encode(entries: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    for entry in entries:
        yield (
            json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode(
                "utf-8", "surrogatepass"
            )
            + b"\n"
        )


__all__ += ["NewerFolderError", "SyncFolderError", "record_problem", "remembered_folder"]
