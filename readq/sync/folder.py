"""The shared folder: its layout, its format marker, and readers that survive sync tools.

Layout (``DIR`` is the folder the user names)::

    DIR/readq-sync/format.json                       {"format": 1}: a newer one is refused
    DIR/readq-sync/v1/devices/<device-id>/device.json  {"id": ..., "name": ...}
    DIR/readq-sync/v1/devices/<device-id>/log-000001.jsonl       one file per sync, never
    DIR/readq-sync/v1/devices/<device-id>/snapshot-000001.jsonl.gz  changed once written

Only this device's directory is ever written, and only by writing a temporary file beside
the target, fsync, rename, fsync the directory: a reader (or a sync tool) sees a file whole
or not at all. Readers take what a sync tool may leave: a log still being copied is read up
to its last complete line, conflict copies (``*.sync-conflict-*``, ``(conflicted copy)``)
are read like any log (entries are idempotent), a corrupt line is named and skipped.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
ROOT = "readq-sync"
DEVICES = Path("v1") / "devices"

_LOG = re.compile(r"^log-(\d{6})(?!\d).*\.jsonl$")
_SNAPSHOT = re.compile(r"^snapshot-(\d{6})(?!\d).*\.jsonl\.gz$")
_CLEAN_LOG = re.compile(r"^log-(\d{6})\.jsonl$")


class SyncFolderError(Exception):
    """The folder cannot be used (one line for the user, naming it)."""


class NewerFolderError(SyncFolderError):
    """The folder was written by a newer readq: refused, nothing written to it."""


@dataclass(frozen=True, slots=True)
class LogFile:
    """One log (or conflict copy of one) of a device."""

    device: str
    name: str
    number: int
    path: Path


@dataclass(frozen=True, slots=True)
class Line:
    """One complete line of a log: its entry, or why it could not be read."""

    number: int
    entry: dict[str, Any] | None
    problem: str | None = None


class Folder:
    """The sync area inside the user's folder."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.root = base / ROOT

    # ----------------------------------------------------------------- format
    def check(self, *, create: bool) -> None:
        """Refuse a folder from a newer readq (``NewerFolderError``) or one that is not a
        folder; with ``create``, write the format marker of a new sync area."""
        if not self.base.is_dir():
            raise SyncFolderError(f"{self.base}: no such folder")
        marker = self.root / "format.json"
        try:
            raw = marker.read_bytes()
        except FileNotFoundError:
            if create:
                (self.root / DEVICES).mkdir(parents=True, exist_ok=True)
                write_atomic(marker, json.dumps({"format": FORMAT_VERSION}).encode() + b"\n")
            return
        except OSError as exc:
            raise SyncFolderError(f"{marker}: cannot read it ({exc.strerror})") from None
        try:
            found = json.loads(raw)["format"]
            version = int(found)
        except (ValueError, KeyError, TypeError):
            raise SyncFolderError(f"{marker}: not a readq sync marker") from None
        if version > FORMAT_VERSION:
            raise NewerFolderError(
                f"{self.root}: written by a newer readq (sync format {version}, this readq "
                f"reads {FORMAT_VERSION}); upgrade readq to sync here. Nothing was changed."
            )
        if create:
            (self.root / DEVICES).mkdir(parents=True, exist_ok=True)

    # ---------------------------------------------------------------- devices
    def device_dir(self, device: str) -> Path:
        """Where ``device`` writes."""
        return self.root / DEVICES / device

    def devices(self) -> list[str]:
        """Every device that has a directory in the folder."""
        top = self.root / DEVICES
        try:
            return sorted(p.name for p in top.iterdir() if p.is_dir() and _safe_name(p.name))
        except FileNotFoundError:
            return []

    def device_name(self, device: str) -> str:
        """The name a device gave itself (its id when ``device.json`` is unreadable)."""
        try:
            data = json.loads((self.device_dir(device) / "device.json").read_bytes())
            return str(data["name"])
        except (OSError, ValueError, KeyError, TypeError):
            return device

    def write_device(self, device: str, name: str) -> None:
        """Write (or rewrite, when the name changed) this device's ``device.json``."""
        target = self.device_dir(device)
        target.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"id": device, "name": name}, ensure_ascii=False).encode() + b"\n"
        path = target / "device.json"
        try:
            if path.read_bytes() == data:
                return
        except OSError:
            pass
        write_atomic(path, data)

    # ------------------------------------------------------------------ files
    def logs(self, device: str) -> list[LogFile]:
        """A device's logs and conflict copies of them, by number then name."""
        found: list[LogFile] = []
        for name in self._names(device):
            match = _LOG.match(name)
            if match:
                found.append(LogFile(device, name, int(match[1]), self.device_dir(device) / name))
        return sorted(found, key=lambda f: (f.number, f.name))

    def next_log_number(self, device: str) -> int:
        """The number of this device's next log (one above any log or snapshot there)."""
        numbers = [f.number for f in self.logs(device)]
        numbers += [n for n, _ in self.snapshots(device)]
        return max(numbers, default=0) + 1

    def snapshots(self, device: str) -> list[tuple[int, Path]]:
        """A device's snapshots (number, path), newest first."""
        found: list[tuple[int, Path]] = []
        for name in self._names(device):
            match = _SNAPSHOT.match(name)
            if match:
                found.append((int(match[1]), self.device_dir(device) / name))
        return sorted(found, key=lambda s: (-s[0], s[1].name))

    def _names(self, device: str) -> list[str]:
        try:
            return [n for n in os.listdir(self.device_dir(device)) if not n.startswith(".")]
        except (FileNotFoundError, NotADirectoryError):
            return []

    def remove_temporaries(self, device: str) -> None:
        """Temporary files a killed sync of this device left behind."""
        directory = self.device_dir(device)
        try:
            names = os.listdir(directory)
        except FileNotFoundError:
            return
        for name in names:
            if name.startswith(".") and ".tmp-" in name:
                (directory / name).unlink(missing_ok=True)


def is_clean_log(name: str) -> bool:
    """A log readq wrote under its own name (not a sync tool's conflict copy)."""
    return _CLEAN_LOG.match(name) is not None


def _safe_name(name: str) -> bool:
    return not name.startswith(".") and "/" not in name


def read_lines(path: Path, skip: int) -> Iterator[Line]:
    """The complete lines of a log after the first ``skip``: a last line without its newline
    (a copy in progress) is not read, so the next sync reads it whole."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return
    with handle:
        for number, raw in enumerate(handle, start=1):
            if number <= skip:
                continue
            if not raw.endswith(b"\n"):
                return
            yield parse_line(raw, number)


def parse_line(raw: bytes, number: int) -> Line:
    """One line as an entry, or the reason it is not one."""
    try:
        entry = json.loads(raw)
    except (ValueError, RecursionError):
        return Line(number, None, "not JSON")
    if not isinstance(entry, dict) or not isinstance(entry.get("u"), str):
        return Line(number, None, "not a sync entry")
    return Line(number, entry)


def read_snapshot_header(path: Path) -> dict[str, Any] | None:
    """The first line of a snapshot, or None when it cannot be read (still being copied)."""
    try:
        with gzip.open(path, "rb") as handle:
            header = json.loads(handle.readline())
    except (OSError, EOFError, ValueError, zlib.error):
        return None
    return header if isinstance(header, dict) and header.get("snapshot") == 1 else None


def read_snapshot(path: Path) -> list[Line] | None:
    """Every entry of a snapshot (after its header), or None when it is not whole: a
    snapshot is used all or not at all."""
    lines: list[Line] = []
    try:
        with gzip.open(path, "rb") as handle:
            handle.readline()
            for number, raw in enumerate(handle, start=2):
                if not raw.endswith(b"\n"):
                    return None
                lines.append(parse_line(raw, number))
    except (OSError, EOFError, zlib.error):
        return None
    return lines


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` as ``path``: temporary file, fsync, rename, fsync the directory."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    fsync_dir(path.parent)


def write_lines_atomic(path: Path, lines: Iterator[bytes], *, compress: bool = False) -> int:
    """Write lines (each ending in a newline) as ``path`` atomically; returns how many."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    count = 0
    with temporary.open("wb") as raw:
        if compress:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as zipped:
                for line in lines:
                    zipped.write(line)
                    count += 1
        else:
            for line in lines:
                raw.write(line)
                count += 1
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(temporary, path)
    fsync_dir(path.parent)
    return count


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
