"""One field's postings as loaded from the saved index, decoded one word at a time.

Why: turning the saved postings back into one ``array`` per word was the largest part of a
start from the saved index (0.26 s of 1.0 s at 1M papers: ~450k arrays made and 60 MB copied),
yet a session looks up a few hundred words. :class:`PackedPostings` keeps the saved form (every
array posting back to back in one ``array('I')``, with where each word's run starts) and makes
a word's posting the first time it is asked for; after that the same object is returned, so
the index may extend it in place as it does a posting it built itself.

It behaves as the ``dict[str, Posting]`` it replaces (see :mod:`readq.search.index`): lookups,
assignment of new or replaced postings, iteration over every word, ``items()`` for saving.
Callers hold the engine's lock, as for the plain dict.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, MutableMapping, Sequence
from itertools import accumulate, chain

Posting = array | int  # type: ignore[type-arg]

_SLICE = 8192


class PackedPostings(MutableMapping[str, Posting]):
    """``word -> posting`` over packed saved postings, decoded on first use."""

    __slots__ = ("_bits", "_decoded", "_flat", "_new", "_offsets", "_slots")

    def __init__(
        self,
        array_words: Sequence[str],
        lengths: array,  # type: ignore[type-arg]
        flat: array,  # type: ignore[type-arg]
        bit_words: Sequence[str],
        bits: Sequence[bytes],
    ) -> None:
        """``array_words[i]`` owns the next ``lengths[i]`` documents of ``flat``;
        ``bit_words[i]`` owns the bit set ``bits[i]`` (little-endian bytes).
        ``ValueError`` if they do not add up."""
        if len(array_words) != len(lengths) or len(bit_words) != len(bits):
            raise ValueError("bad postings")
        offsets = array("Q", accumulate(lengths, initial=0))
        if offsets[-1] != len(flat):
            raise ValueError("bad postings")
        # Array postings are slots 0.., bit sets -1, -2, ... (one dict for every word), made
        # in slices so that other threads (the UI) get the GIL between them.
        slots: dict[str, int] = {}
        for lo in range(0, len(array_words), _SLICE):
            words = array_words[lo : lo + _SLICE]
            slots.update(zip(words, range(lo, lo + len(words)), strict=True))
        slots.update(zip(bit_words, range(-1, -len(bit_words) - 1, -1), strict=True))
        if len(slots) != len(array_words) + len(bit_words):
            raise ValueError("a word is saved twice")
        self._slots = slots
        self._offsets = offsets
        self._flat = flat
        self._bits = bits
        self._decoded: dict[str, Posting] = {}
        self._new: dict[str, None] = {}
        """Words assigned since loading that were not saved (in insertion order)."""

    def _decode(self, slot: int) -> Posting:
        if slot >= 0:
            return self._flat[self._offsets[slot] : self._offsets[slot + 1]]
        return int.from_bytes(self._bits[-slot - 1], "little")

    def get(self, word: str, default: Posting | None = None) -> Posting | None:  # type: ignore[override]
        """The posting of ``word`` (decoded now if this is its first use), else ``default``."""
        posting = self._decoded.get(word)
        if posting is not None:
            return posting
        slot = self._slots.get(word)
        if slot is None:
            return default
        # setdefault is atomic: a reader without the engine's lock (the discover model) and
        # a writer appending to the posting end up with the same object.
        return self._decoded.setdefault(word, self._decode(slot))

    def __getitem__(self, word: str) -> Posting:
        posting = self.get(word)
        if posting is None:
            raise KeyError(word)
        return posting

    def __contains__(self, word: object) -> bool:
        return word in self._slots or word in self._new

    def __setitem__(self, word: str, posting: Posting) -> None:
        self._decoded[word] = posting
        if word not in self._slots:
            self._new[word] = None

    def __delitem__(self, word: str) -> None:
        if word in self._slots:
            del self._slots[word]
        elif word in self._new:
            del self._new[word]
        else:
            raise KeyError(word)
        self._decoded.pop(word, None)

    def __iter__(self) -> Iterator[str]:
        # C-level iteration: the vocabulary is rebuilt from it at 1M papers (~450k words).
        return chain(self._slots, self._new)

    def __len__(self) -> int:
        return len(self._slots) + len(self._new)

    def items(self) -> Iterator[tuple[str, Posting]]:  # type: ignore[override]
        """Every ``(word, posting)``; words never used are decoded for the caller only (not
        kept: saving the index must not decode it all into memory)."""
        decoded = self._decoded
        for word, slot in self._slots.items():
            posting = decoded.get(word)
            yield word, posting if posting is not None else self._decode(slot)
        for word in self._new:
            yield word, decoded[word]

    def values(self) -> Iterator[Posting]:  # type: ignore[override]
        """Every posting (see :meth:`items`)."""
        return (posting for _word, posting in self.items())

    @property
    def decoded(self) -> int:
        """How many words have been decoded (or assigned) since loading."""
        return len(self._decoded)


__all__ = ["PackedPostings", "Posting"]
