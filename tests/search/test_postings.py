"""``PackedPostings`` behaves as the ``dict`` of postings it stands for, decoding a word only
when it is first used (the saved index's postings at start-up)."""

from __future__ import annotations

from array import array

import pytest

from readq.search.postings import PackedPostings, Posting


def packed() -> tuple[PackedPostings, dict[str, Posting]]:
    """A packed table and the plain dict it must behave as."""
    plain: dict[str, Posting] = {
        "lantern": array("I", [0, 4, 9]),
        "gondola": array("I", [2]),
        "quarry": array("I"),
        "wombat": 0b1011,
        "ñandú": array("I", [7, 8]),
        "kestrel": 1 << 70,
    }
    array_words = [w for w, p in plain.items() if isinstance(p, array)]
    lengths = array("I", [len(plain[w]) for w in array_words])  # type: ignore[arg-type]
    flat = array("I")
    for word in array_words:
        flat.extend(plain[word])  # type: ignore[arg-type]
    bit_words = [w for w, p in plain.items() if isinstance(p, int)]
    bits = [
        int(plain[w]).to_bytes((int(plain[w]).bit_length() + 7) // 8, "little") for w in bit_words
    ]
    return PackedPostings(array_words, lengths, flat, bit_words, bits), plain


def test_reads_like_the_plain_dict() -> None:
    table, plain = packed()
    assert len(table) == len(plain)
    assert set(table) == set(plain)
    assert dict(table.items()) == plain
    for word, posting in plain.items():
        assert word in table
        assert table.get(word) == posting
        assert type(table[word]) is type(posting)
    assert table.get("absent") is None
    assert "absent" not in table
    with pytest.raises(KeyError):
        table["absent"]


def test_decodes_only_the_words_used_and_keeps_them() -> None:
    table, _plain = packed()
    assert table.decoded == 0
    list(table.items())  # saving walks every word without keeping them decoded
    assert table.decoded == 0
    first = table.get("lantern")
    assert table.decoded == 1
    assert table.get("lantern") is first  # the same object: extended in place by the index


def test_in_place_changes_and_new_words_are_kept() -> None:
    table, plain = packed()
    posting = table["lantern"]
    assert isinstance(posting, array)
    posting.extend([11, 12])
    table["wombat"] = 0b1111
    table["spline"] = array("I", [3])
    assert table["lantern"] == array("I", [0, 4, 9, 11, 12])
    assert table["wombat"] == 0b1111
    assert table["spline"] == array("I", [3])
    assert len(table) == len(plain) + 1
    assert list(table)[-1] == "spline"
    got = dict(table.items())
    assert got["lantern"] == array("I", [0, 4, 9, 11, 12])
    assert got["spline"] == array("I", [3])
    del table["gondola"], table["spline"]
    assert "gondola" not in table and "spline" not in table
    assert len(table) == len(plain) - 1
    with pytest.raises(KeyError):
        del table["absent"]


@pytest.mark.parametrize(
    "words, lengths, flat, bit_words, bits",
    [
        (["a", "b"], [1], [0], [], []),  # a word without a length
        (["a"], [2], [0], [], []),  # lengths beyond the documents saved
        (["a"], [1], [0, 1], [], []),  # documents nobody owns
        (["a"], [1], [0], ["c"], []),  # a bit set word without its bits
        (["a", "a"], [1, 1], [0, 1], [], []),  # a word saved twice
        (["a"], [1], [0], ["a"], [b"\x01"]),  # both an array and a bit set
    ],
)
def test_saved_postings_that_do_not_add_up_are_refused(
    words: list[str], lengths: list[int], flat: list[int], bit_words: list[str], bits: list[bytes]
) -> None:
    with pytest.raises(ValueError):
        PackedPostings(words, array("I", lengths), array("I", flat), bit_words, bits)


def test_two_first_uses_at_once_share_one_posting(monkeypatch: pytest.MonkeyPatch) -> None:
    """The discover model reads postings without the engine's lock while a refresh may extend
    them under it: a word decoded by both at once must end up as one object, or an append
    made to one copy is lost when the other is stored."""
    table, _plain = packed()
    real = PackedPostings._decode
    seen: list[Posting | None] = []

    def decode_while_another_thread_does(self: PackedPostings, slot: int) -> Posting:
        if not seen:
            seen.append(None)
            seen.append(self.get("lantern"))  # the other thread, in between
        return real(self, slot)

    monkeypatch.setattr(PackedPostings, "_decode", decode_while_another_thread_does)
    mine = table.get("lantern")
    assert mine is seen[1]
    assert table.get("lantern") is mine
