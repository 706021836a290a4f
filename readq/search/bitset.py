"""Sets of documents as Python ints: bit ``d`` is set when document index ``d`` is in the set.

Intersections, unions and counts on ints run in C (about 0.1 ms for a million documents).
The slow part in pure Python is turning a list of indices into bits and back; the helpers
here do both through byte masks and ``int.from_bytes`` so that the per-element work stays in C
except for one ``bytearray.__setitem__`` per index when scattering.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import compress, repeat


def round8(n: int) -> int:
    """``n`` rounded up to a multiple of 8 (the byte mask length for ``n`` documents)."""
    return (n + 7) & ~7


@lru_cache(maxsize=8)
def _ones(nbytes: int) -> int:
    """An int whose every byte is 0x01, ``nbytes`` long."""
    return int.from_bytes(b"\x01" * nbytes, "little")


def scatter(mask: bytearray, indices: Iterable[int]) -> None:
    """Set ``mask[i] = 1`` for every ``i`` in ``indices`` (the loop runs in C)."""
    deque(map(mask.__setitem__, indices, repeat(1)), maxlen=0)


def pack(mask: bytes | bytearray) -> int:
    """A byte mask (one 0/1 byte per document) as a bit set."""
    acc = 0
    for j in range(8):
        acc |= int.from_bytes(mask[j::8], "little") << j
    return acc


def from_indices(indices: Iterable[int], n: int) -> int:
    """The bit set of ``indices`` (each ``< n``)."""
    mask = bytearray(round8(n))
    scatter(mask, indices)
    return pack(mask)


def unpack(bits: int, n: int) -> bytearray:
    """A bit set as a byte mask of ``round8(n)`` bytes, one 0/1 byte per document."""
    length = round8(n)
    nbytes = length // 8
    out = bytearray(length)
    if bits == 0 or nbytes == 0:
        return out
    ones = _ones(nbytes)
    for j in range(8):
        out[j::8] = ((bits >> j) & ones).to_bytes(nbytes, "little")
    return out


def full(n: int) -> int:
    """The set of all documents ``0 .. n-1``."""
    return (1 << n) - 1


def iter_desc(bits: int, n: int, block: int = 1 << 14) -> Iterator[list[int]]:
    """Document indices of ``bits`` in descending order, a block of indices at a time.

    The first blocks are small so the first page of a long result is cheap; later blocks grow.
    """
    top = round8(n)
    while top > 0 and bits:
        low = max(0, top - block)
        low -= low % 8
        width = top - low
        chunk = (bits >> low) & ((1 << width) - 1)
        if chunk:
            mask = unpack(chunk, width)
            hits = list(compress(range(top - 1, low - 1, -1), mask[::-1]))
            if hits:
                yield hits
        bits &= (1 << low) - 1
        top = low
        block = min(block * 4, 1 << 20)


def iter_in_order(
    bits: int, n: int, order: Sequence[int], block: int = 1 << 12
) -> Iterator[list[int]]:
    """Document indices of ``bits`` in the order given by ``order`` (a permutation), in blocks."""
    if not bits:
        return
    mask = unpack(bits, n)
    getter = mask.__getitem__
    start = 0
    total = len(order)
    while start < total:
        batch = order[start : start + block]
        hits = list(compress(batch, map(getter, batch)))
        if hits:
            yield hits
        start += block
        block = min(block * 4, 1 << 18)
