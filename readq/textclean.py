"""Normalisation of untrusted text: control characters out, keys for deduplication.

Used at ingest (what is stored) and again at display (what reaches the terminal).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# C0 controls except tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# An ANSI/VT escape sequence (CSI, OSC, DCS ... up to its terminator) removed whole,
# so that no half of it (like "[31m") survives as visible junk.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_blake2b = hashlib.blake2b
_ASCII_HEAD = 330
"""The characters of an ASCII abstract whose key usually has the 300 that abstract_key takes."""
_PUNCT_OR_SPACE = re.compile(r"[\W_]+", re.UNICODE)
# Anything that needs cleaning: escapes, controls (tab and newline included, for the fast path).
_NEEDS_CLEANING = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The ASCII key fold as a bytes table (bytes.translate is a C table lookup, str.translate a
# dict lookup per character): letters lowered, digits kept, every other ASCII byte a space.
_ASCII_FOLD_BYTES = bytes(c if chr(c).isalnum() else 32 for c in range(128)).lower() + bytes(128)
# Printable ASCII kept, every other byte (controls, DEL, non-ASCII) mapped to 0x80: a line is
# printable ASCII exactly when its translation is ASCII.
_PRINTABLE_ASCII = bytes(c if 32 <= c < 127 else 0x80 for c in range(256))


def strip_unsafe(text: str, *, keep_newlines: bool = True) -> str:
    """Remove escape sequences and control characters; keep tabs and (optionally) newlines."""
    if _NEEDS_CLEANING.search(text) is None:
        return text
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _UNSAFE.sub("", text)
    if not keep_newlines:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


def clean_line(text: str) -> str:
    """A single-line field: unsafe characters out, runs of whitespace folded, trimmed."""
    if text.isascii() and text.encode("ascii").translate(_PRINTABLE_ASCII).isascii():
        # Printable ASCII (the common case, checked without the regex): nothing unsafe, no
        # tab, no no-break space; only runs of spaces and the ends can need folding.
        return " ".join(text.split()) if "  " in text else text.strip()
    return _clean_line_general(text)


def _clean_line_general(text: str) -> str:
    """:func:`clean_line` for any text (the fast path must agree with it; a test checks)."""
    if _NEEDS_CLEANING.search(text) is not None:
        text = strip_unsafe(text, keep_newlines=False)
    if "  " in text or "\t" in text or "\xa0" in text:
        return " ".join(text.split())
    return text.strip()


def normalise_key(text: str) -> str:
    """The dedupe key of a title or abstract: NFKC, casefolded, punctuation and spaces folded."""
    if text.isascii():
        folded = text.encode("ascii").translate(_ASCII_FOLD_BYTES)
        return b" ".join(folded.split()).decode("ascii")
    return _normalise_key_general(text)


def _normalise_key_general(text: str) -> str:
    """:func:`normalise_key` for any text (the ASCII path must agree with it; a test checks)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_PUNCT_OR_SPACE.sub(" ", folded).split())


def abstract_key(abstract: str) -> str:
    """The dedupe key of an abstract: a digest of its first 300 normalised characters, or ""
    when the abstract is too short to identify a paper (under 40 characters)."""
    if abstract.isascii() or abstract[:400].isascii():
        # normalise_key's ASCII path, in bytes, first on a shorter head: its key is a prefix of
        # the 400-character head's key (folding is per character, and a word cut at the end
        # is a prefix of the whole word), so when it is 300 long it is the same first 300.
        head = abstract[:_ASCII_HEAD].encode("ascii").translate(_ASCII_FOLD_BYTES)
        key = b" ".join(head.split())
        if len(key) < 300 and len(abstract) > _ASCII_HEAD:
            head = abstract[:400].encode("ascii").translate(_ASCII_FOLD_BYTES)
            key = b" ".join(head.split())
        if len(key) < 40:
            return ""
        return _blake2b(key[:300], digest_size=8).hexdigest()
    folded = _normalise_key_general(abstract[:400])[:300]
    if len(folded) < 40:
        return ""
    return _blake2b(folded.encode("utf-8"), digest_size=8).hexdigest()
