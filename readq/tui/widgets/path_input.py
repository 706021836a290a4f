"""A file path input: Tab completes, and no file name ever reaches the terminal raw.

Used by the ingest and export dialogs.
"""

from __future__ import annotations

import os
import re
from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
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


def path_candidates(value: str) -> list[str]:
    """Every completion of ``value`` (sorted; directories end in ``/``), as shown
    (:func:`display_name`): a name holding escape sequences never reaches the terminal.
    Hidden entries only when the typed name starts with a dot."""
    if not value:
        return []
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
        return []
    if prefix and not prefix.startswith("."):
        names = [n for n in names if not n.startswith(".")]
    head = value[: len(value) - len(prefix)]
    return [head + name for name in names]


def complete_path(value: str) -> str | None:
    """The first completion of ``value`` (None: none, or it is already complete)."""
    candidates = path_candidates(value)
    if not candidates or candidates[0] == value:
        return None
    return candidates[0]


class PathInput(OrderedInput):
    """An input whose Tab completes paths as a shell does.

    Tab with one match takes it; with several it extends the text to what they share and
    lists them (``Candidates``), and further Tabs cycle through them; with none it says so and
    keeps the focus (moving on would put typed keys in the next field). Its text is always
    showable: a completion or a paste holding control characters is shown with stand-ins
    (:func:`display_name`), and :attr:`real_value` is the path it names.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "accept_completion", "Complete", show=False),
    ]

    class Candidates(Message):
        """The completions to show under the input (``names`` empty: hide the list).

        ``current``: the position of the one in the input (-1: none yet); ``no_match``: Tab
        found nothing for the text."""

        def __init__(self, names: list[str], current: int, no_match: bool = False) -> None:
            super().__init__()
            self.names = names
            self.current = current
            self.no_match = no_match

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cycle: list[str] = []
        self._cycle_index = -1

    def validate_value(self, value: str) -> str:
        """Textual's reactive validator: whatever is put in, only showable text is kept."""
        return display_name(value)

    @property
    def real_value(self) -> str:
        """The path the (trimmed) text names, ``~`` expanded and stand-ins resolved."""
        return real_path(self.value.strip())

    def _set(self, value: str) -> None:
        self.value = value
        self.cursor_position = len(value)

    def action_accept_completion(self) -> None:
        """Complete the path (see the class); an empty field moves on to the next one."""
        if not self.value:
            self.screen.focus_next()
            return
        cycle = self._cycle
        if cycle and 0 <= self._cycle_index < len(cycle) and self.value == cycle[self._cycle_index]:
            self._cycle_index = (self._cycle_index + 1) % len(cycle)
            self._set(cycle[self._cycle_index])
            self.post_message(self.Candidates(cycle, self._cycle_index))
            return
        candidates = path_candidates(self.value)
        self._cycle, self._cycle_index = [], -1
        if not candidates:
            self.app.bell()
            self.post_message(self.Candidates([], -1, no_match=True))
            return
        if len(candidates) == 1:
            self._set(candidates[0])
            self.post_message(self.Candidates([], -1))
            return
        # Character by character on purpose: a shell completes "no" to "notes_", mid-name.
        shared = os.path.commonprefix(candidates)  # noqa: RUF071
        if len(shared) > len(self.value):
            self._set(shared)  # the next Tab finds the same list and starts cycling
            self.post_message(self.Candidates(candidates, -1))
            return
        self._cycle, self._cycle_index = candidates, 0
        self._set(candidates[0])
        self.post_message(self.Candidates(candidates, 0))
