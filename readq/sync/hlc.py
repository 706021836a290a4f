"""A hybrid logical clock: stamps that order every change across devices.

A stamp is text that sorts as it orders: ``WWWWWWWWWWWWW-CCCCCC-DEVICE`` (wall milliseconds,
a counter, the device id). A device never issues a stamp below one it has seen, so an edit
made after a sync wins over what that sync brought even when this machine's clock is hours
behind; two devices never issue the same stamp (the device id breaks ties).
"""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]
"""Seconds since the epoch (``time.time``; tests pass a skewed one)."""


def parse(stamp: str) -> tuple[int, int, str]:
    """(wall milliseconds, counter, device) of a stamp; ``ValueError`` if it is not one."""
    wall, counter, device = stamp.split("-", 2)
    if len(wall) != 13 or len(counter) != 6 or not device:
        raise ValueError(f"not a clock stamp: {stamp!r}")
    return int(wall), int(counter), device


def make(wall_ms: int, counter: int, device: str) -> str:
    """The stamp text of (wall, counter, device)."""
    return f"{wall_ms:013d}-{counter:06d}-{device}"


FLOOR = make(0, 0, "0")
"""The stamp of a field a paper had when it reached sync untouched (a default ingest set,
not a user's edit): below every stamp a clock issues, and the same on every device, so any
real edit wins over it and two untouched copies tie (nothing moves)."""


class HybridClock:
    """The clock of one device: ``tick`` issues, ``observe`` learns from stamps read."""

    def __init__(self, device: str, last: str | None, clock: Clock = time.time) -> None:
        self.device = device
        self._clock = clock
        self._wall, self._counter = 0, 0
        if last:
            self._wall, self._counter, _ = parse(last)

    @property
    def last(self) -> str:
        """The highest stamp issued or seen (saved between syncs)."""
        return make(self._wall, self._counter, self.device)

    def tick(self) -> str:
        """A new stamp above every stamp issued or seen."""
        now = int(self._clock() * 1000)
        if now > self._wall:
            self._wall, self._counter = now, 0
        else:
            self._counter += 1
            if self._counter > 999_999:  # cannot happen in practice: move the wall on
                self._wall, self._counter = self._wall + 1, 0
        return make(self._wall, self._counter, self.device)

    def observe(self, stamp: str) -> None:
        """Learn a stamp read from another device (later ticks sort after it)."""
        wall, counter, _ = parse(stamp)
        if (wall, counter) > (self._wall, self._counter):
            self._wall, self._counter = wall, counter
