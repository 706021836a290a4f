"""The tag picker's state, without a terminal: which tags exist (with counts), which the
papers being tagged carry (all, some or none of them), what the user toggled, and the fuzzy
completion of what they type.

Why here and not in the screen: the toggling rules (a tag some papers carry becomes "all",
then "none", then back) and the ranking of completions are the picker's behaviour; keeping
them pure makes them testable in microseconds, and the screen only draws them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from readq.tags import TagNameError, clean_tag, tag_key


class Mark(Enum):
    """How the tag stands on the papers: carried by all, by some, or by none."""

    ALL = "all"
    SOME = "some"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Choice:
    """One line of the picker: a tag, its library count, and its mark (after toggles)."""

    name: str
    count: int
    mark: Mark
    changed: bool
    new: bool = False
    """Not in the library yet: created by typing."""


class TagPick:
    """What the picker shows and what applying it does, for ``papers`` papers."""

    def __init__(self, counts: Mapping[str, int], carried: Mapping[str, int], papers: int):
        self.papers = max(1, papers)
        self._names = {tag_key(n): n for n in counts}
        self._counts = {tag_key(n): c for n, c in counts.items()}
        self._start: dict[str, Mark] = {}
        for name, n in carried.items():
            key = tag_key(name)
            self._names.setdefault(key, name)
            self._start[key] = Mark.ALL if n >= self.papers else Mark.SOME
        self._marks: dict[str, Mark] = {}

    def mark(self, name: str) -> Mark:
        """The tag's mark now (after the user's toggles)."""
        key = tag_key(name)
        return self._marks.get(key, self._start.get(key, Mark.NONE))

    def toggle(self, name: str) -> str:
        """Toggle a tag: none -> all -> none; a tag only some papers carry goes some -> all
        -> none -> some (back to untouched). Creates the tag if it is new (``TagNameError``
        for a bad name). Returns the tag's name as shown."""
        key = tag_key(name)
        if key not in self._names:
            self._names[key] = clean_tag(name)
        current = self.mark(name)
        start = self._start.get(key, Mark.NONE)
        cycle = [Mark.SOME, Mark.ALL, Mark.NONE] if start is Mark.SOME else [Mark.ALL, Mark.NONE]
        following = cycle[(cycle.index(current) + 1) % len(cycle)]
        if following is start:
            self._marks.pop(key, None)
        else:
            self._marks[key] = following
        return self._names[key]

    def changes(self) -> tuple[list[str], list[str]]:
        """What applying does: the tags to add to every paper and to remove from every
        paper, by name."""
        add = [self._names[k] for k, m in self._marks.items() if m is Mark.ALL]
        remove = [self._names[k] for k, m in self._marks.items() if m is Mark.NONE]
        return add, remove

    def choices(self, typed: str = "", limit: int = 200) -> list[Choice]:
        """The tags matching ``typed`` best first (all tags when empty: those on the papers
        first, then by count), and a "new" choice when ``typed`` names no tag yet and is a
        valid name."""
        text = typed.strip().lstrip("#")
        key = tag_key(text)
        scored: list[tuple[tuple[int, int, int, str], str]] = []
        for k in self._names:
            score = match_score(key, k)
            if score is None:
                continue
            on = self.mark(self._names[k]) is not Mark.NONE
            scored.append(((score, 0 if on else 1, -self._counts.get(k, 0), k), k))
        scored.sort()
        found = [self._choice(k) for _rank, k in scored[:limit]]
        if text and key not in self._names:
            try:
                name = clean_tag(text)
            except TagNameError:
                return found
            # After the tags it begins a level of (what the user is most likely typing
            # towards), before looser matches.
            at = sum(1 for rank, _k in scored[:limit] if rank[0] <= 2)
            found.insert(at, Choice(name, 0, self.mark(name), False, new=True))
        return found

    def _choice(self, key: str) -> Choice:
        name = self._names[key]
        return Choice(
            name,
            self._counts.get(key, 0),
            self.mark(name),
            key in self._marks,
            new=key not in self._counts,
        )


def match_score(typed: str, key: str) -> int | None:
    """How well a tag key matches what was typed (lower is better), None for no match:
    0 exact, 1 prefix, 2 a level's prefix (``av`` → ``project/avatars``), 3 inside,
    4 the letters in order (``pjav``). An empty text matches everything equally."""
    if not typed:
        return 0
    if key == typed:
        return 0
    if key.startswith(typed):
        return 1
    if any(part.startswith(typed) for part in key.replace("-", "/").split("/")):
        return 2
    if typed in key:
        return 3
    position = 0
    for char in typed:
        position = key.find(char, position) + 1
        if position == 0:
            return None
    return 4


def summary(pick: TagPick, names: Sequence[str]) -> str:
    """One line on what applying would do, for the picker's footer."""
    add, remove = pick.changes()
    if not add and not remove:
        return "no changes yet" if names else "no tags yet: type a name to create one"
    parts = []
    if add:
        parts.append("add " + " ".join("#" + n for n in add))
    if remove:
        parts.append("remove " + " ".join("#" + n for n in remove))
    return "Enter: " + ", ".join(parts)
