"""A file path input: Tab completes, and no file name ever reaches the terminal raw.

Used by the ingest and export dialogs.
"""

from __future__ import annotations

import os
import re
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.suggester import Suggester

from readq.tui.widgets.text_input import OrderedInput


class PathSuggester(Suggester):
    """Completes file system paths (the first match, directories with a trailing slash)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        """The completion of ``value``, if one entry of its directory starts with it."""
        return complete_path(value)


# What a terminal must never receive from a file name: C0 and C1 controls (ESC starts the
# OSC 0 / OSC 52 / CSI 2J sequences), DEL, bidi overrides, and lone surrogates (the bytes of a
# name that is not UTF-8, which cannot even be encoded for the terminal).
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_STAND_INS = re.compile("[\u2400-\u2421\ufffd]")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the control pictures: ESC shows as ␛
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def display_name(text: str) -> str:
    """``text`` (a path or file name) as it may be shown: every control, bidi or undecodable
    character replaced by one visible stand-in (so positions in the text do not move).
    :func:`real_path` finds the real name back."""
    return _UNSHOWABLE.sub(_stand_in, text)


def real_path(value: str) -> str:
    """The path the user means by ``value``, which may hold :func:`display_name` stand-ins:
    each component that does not exist as typed is looked up in its directory by its shown
    form (when exactly one entry shows that way). ``~`` is expanded."""
    expanded = os.path.expanduser(value)
    if not _STAND_INS.search(expanded) or os.path.lexists(expanded):
        return expanded
    anchor = os.sep if expanded.startswith(os.sep) else ""
    current = anchor
    for part in [p for p in expanded.split(os.sep) if p]:
        candidate = os.path.join(current, part) if current else part
        if not os.path.lexists(candidate) and _STAND_INS.search(part):
            try:
                with os.scandir(current or ".") as entries:
                    matches = [e.name for e in entries if display_name(e.name) == part]
            except OSError:
                matches = []
            if len(matches) == 1:
                candidate = os.path.join(current, matches[0]) if current else matches[0]
        current = candidate
    if expanded.endswith(os.sep) and not current.endswith(os.sep):
        current += os.sep
    return current


def complete_path(value: str) -> str | None:
    """Complete ``value`` to the first directory entry it is a prefix of, as it is shown
    (:func:`display_name`): a name holding escape sequences never reaches the terminal."""
    if not value:
        return None
    expanded = os.path.expanduser(value)
    directory, prefix = os.path.split(expanded)
    try:
        with os.scandir(real_path(directory) if directory else ".") as entries:
            names = sorted(
                (display_name(e.name) + ("/" if e.is_dir() else ""))
                for e in entries
                if display_name(e.name).startswith(prefix)
            )
    except OSError:
        return None
    if prefix and not prefix.startswith("."):
        names = [n for n in names if not n.startswith(".")]
    if not names:
        return None
    completed = value[: len(value) - len(prefix)] + names[0]
    return completed if completed != value else None


class PathInput(OrderedInput):
    """An input whose Tab accepts the path completion.

    Its text is always showable: a completion or a paste holding control characters is shown
    with stand-ins (:func:`display_name`), and :attr:`real_value` is the path it names.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "accept_completion", "Complete", show=False),
    ]

    def validate_value(self, value: str) -> str:
        """Textual's reactive validator: whatever is put in, only showable text is kept."""
        return display_name(value)

    @property
    def real_value(self) -> str:
        """The path the (trimmed) text names, ``~`` expanded and stand-ins resolved."""
        return real_path(self.value.strip())

    def action_accept_completion(self) -> None:
        """Take the suggested completion (or move on when there is none)."""
        if self._suggestion and self._suggestion != self.value:
            self.value = self._suggestion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()
