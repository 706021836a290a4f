"""Sync through a shared folder that Syncthing, Dropbox, iCloud or git carries.

Each device appends its own changes to its own files in the folder and replays the other
devices' files (the pattern of Taskwarrior 3, Joplin and DecSync): the sync tool moves bytes,
readq never opens a database inside the folder. :func:`readq.sync.engine.sync` is the one
entry point; :mod:`readq.sync.fields` holds one handler per kind of state; :mod:`readq.sync.
folder` the layout and the tolerant readers; :mod:`readq.sync.hlc` the clock. Pure core: no
Textual, Rich or click.
"""

from __future__ import annotations

from readq.sync.engine import SyncError, SyncResult, SyncStatus, sync, sync_status
from readq.sync.folder import FORMAT_VERSION, NewerFolderError

__all__ = [
    "FORMAT_VERSION",
    "NewerFolderError",
    "SyncError",
    "SyncResult",
    "SyncStatus",
    "sync",
    "sync_status",
]
