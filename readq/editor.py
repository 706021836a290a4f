"""Editing text in the user's own editor (``$VISUAL``, ``$EDITOR``, else a sensible default)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

FALLBACK_EDITORS = ("sensible-editor", "nano", "vim", "vi")


class EditorError(Exception):
    """No editor could be found, or it failed."""


def editor_command() -> list[str]:
    """The editor to run, as an argument list."""
    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "").strip()
        if value:
            return shlex.split(value)
    for name in FALLBACK_EDITORS:
        found = shutil.which(name)
        if found:
            return [found]
    raise EditorError("no editor found: set $VISUAL or $EDITOR")


def edit_text(text: str, *, suffix: str = ".md") -> str:
    """Open ``text`` in the editor and return what it saved (the original if it exits non-zero
    is an error: nothing is changed)."""
    command = editor_command()
    # A text file ends with a newline: editors and scripts expect one (`echo more >> file`
    # glued its line to the note's last line without it).
    written = text if not text or text.endswith("\n") else text + "\n"
    with tempfile.TemporaryDirectory(prefix="readq-") as folder:
        path = Path(folder) / f"note{suffix}"
        path.write_text(written, encoding="utf-8")
        try:
            completed = subprocess.run([*command, str(path)], check=False)
        except OSError as exc:
            raise EditorError(f"could not run editor {command[0]!r}: {exc.strerror}") from None
        if completed.returncode != 0:
            raise EditorError(
                f"editor {command[0]!r} exited with status {completed.returncode}; note unchanged"
            )
        edited = path.read_text(encoding="utf-8", errors="replace")
    # Saved unchanged: the note is unchanged too (not a new revision for the newline alone).
    return text if edited == written else edited
