"""Normalisation of untrusted text: control characters out, keys for deduplication.

Used at ingest (what is stored) and again at display (what reaches the terminal). Which keys
identify a paper is decided here too (:func:`dedupe_keys`, :func:`identity_key`), so that
ingest, the parser process and imports cannot disagree.
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
# Every format character (Unicode category Cf, Unicode 14 as in Python 3.11; a test checks the
# list against unicodedata). Invisible: inside a word they would split its key in two
# ("Atten<ZWJ>tion" keyed "atten tion"), so keys drop them all.
_FORMAT_CHARS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f"
)
_FORMAT = re.compile(f"[{_FORMAT_CHARS}]+")
# The format characters that are only invisible junk in stored and displayed text (soft
# hyphen, zero-width space/joiners, word joiner, BOM, bidi marks, invisible operators, tags...).
# Kept: those that show or shape something (Arabic number signs, hieroglyph and musical
# format controls), a ZWJ/ZWNJ between two non-ASCII characters (emoji sequences like
# "👩\u200d💻", Persian and Indic shaping) and the tags of an emoji flag ("🏴" + tags).
_INVISIBLE_JUNK = (
    "\u00ad\u061c\u180e\u200b-\u200f\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb"
    "\U0001bca0-\U0001bca3\U000e0001\U000e0020-\U000e007f"
)
_INVISIBLE = re.compile(
    "(\U0001f3f4[\U000e0020-\U000e007f]+)"
    r"|(?<=[^\x00-\x7f\s])([\u200c\u200d])(?=[^\x00-\x7f\s])"
    f"|[{_INVISIBLE_JUNK}]"
)
_blake2b = hashlib.blake2b
_ASCII_HEAD = 330
"""The characters of an ASCII abstract whose key usually has the 300 that abstract_key takes."""
_PUNCT_OR_SPACE = re.compile(r"[\W_]+", re.UNICODE)
# Anything that needs cleaning: escapes, controls (tab and newline included, for the fast path),
# invisible format characters.
_NEEDS_CLEANING = re.compile(f"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069{_INVISIBLE_JUNK}]")
# The ASCII key fold as a bytes table (bytes.translate is a C table lookup, str.translate a
# dict lookup per character): letters lowered, digits kept, every other ASCII byte a space.
_ASCII_FOLD_BYTES = bytes(c if chr(c).isalnum() else 32 for c in range(128)).lower() + bytes(128)
# Printable ASCII kept, every other byte (controls, DEL, non-ASCII) mapped to 0x80: a line is
# printable ASCII exactly when its translation is ASCII.
_PRINTABLE_ASCII = bytes(c if 32 <= c < 127 else 0x80 for c in range(256))


def strip_unsafe(text: str, *, keep_newlines: bool = True) -> str:
    """Remove escape sequences, control characters and invisible format characters (which
    terminals give no consistent width either); keep tabs and (optionally) newlines."""
    if _NEEDS_CLEANING.search(text) is None:
        return text
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _UNSAFE.sub("", text)
    if not text.isascii():
        text = _INVISIBLE.sub(_kept_format, text)
    if not keep_newlines:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


def _kept_format(match: re.Match[str]) -> str:
    """What :data:`_INVISIBLE` keeps of a match: an emoji flag or a joiner inside a sequence."""
    return match.group(1) or match.group(2) or ""


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
    """:func:`normalise_key` for any text (the ASCII path must agree with it; a test checks).
    Format characters are dropped first: they are invisible, so they must not split a word."""
    folded = unicodedata.normalize("NFKC", _FORMAT.sub("", text)).casefold()
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
    text = abstract[:400]
    if _FORMAT.search(text) is not None:
        # Invisible characters take no place in the key: the 400 are counted without them.
        text = _FORMAT.sub("", abstract)[:400]
    folded = _normalise_key_general(text)[:300]
    if len(folded) < 40:
        return ""
    return _blake2b(folded.encode("utf-8"), digest_size=8).hexdigest()


def has_format_characters(text: str) -> bool:
    """Whether ``text`` holds a format character (keys made before readq ignored them
    differ: see migration ``m004_format_char_keys``)."""
    return not text.isascii() and _FORMAT.search(text) is not None


def dedupe_keys(title: str, abstract: str) -> tuple[str, str]:
    """A paper's (title key, abstract key): what the library stores and looks papers up by.

    A title with no letters or digits ("🚀", "...") has an empty key, and so has an abstract
    too short to identify a paper; :func:`identity_key` says which of the two identifies the
    paper. When both are empty, the title's own symbols are its key (marked ``~``, which no
    folded key contains): "🚀" and "🔥" stay two papers, and re-ingesting either finds it again
    instead of adding it once more."""
    title_key, akey = normalise_key(title), abstract_key(abstract)
    if not title_key and not akey:
        title_key = symbol_key(title)
    return title_key, akey


def symbol_key(title: str) -> str:
    """The key of a title with no letters or digits: its symbols, NFKC-folded, without
    format characters, spaces folded; "" for a blank title."""
    folded = " ".join(unicodedata.normalize("NFKC", _FORMAT.sub("", title)).casefold().split())
    return "~" + folded if folded else ""


def identity_key(title_key: str, abstract_key: str, *, title_derived: bool) -> str | None:
    """The one key under which a paper is recognised again within one file or import: its
    title key, or its abstract key for a title derived from the abstract (or a title whose
    key is empty), or the title key of a derived title without a usable abstract. None when
    both keys are empty: nothing identifies the paper, so it is merged with nothing (two
    papers titled "🚀" and "🔥" are two papers, not one)."""
    if title_key and not title_derived:
        return "t:" + title_key
    if abstract_key:
        return "a:" + abstract_key
    if title_key:
        return "t:" + title_key
    return None
