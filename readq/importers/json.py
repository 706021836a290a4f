"""Reading readq's own JSON export (and the array printed by ``readq list --json``).

Every value is checked, its type and its value (dates are real dates, counts are not negative,
a note revision's kind is one readq writes and its base is another revision of the same
paper): a file that does not hold what readq writes is refused with one line naming the file,
the entry and the field, before anything is written to the library.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

from readq.export.json import FORMAT_NAME, FORMAT_VERSION
from readq.importers.records import (
    ImportRecord,
    IngestLogRecord,
    ParsedImport,
    RevisionRecord,
    RuleRecord,
)
from readq.ingest.errors import IngestError
from readq.models import ScrapedPaper, Source, Status
from readq.rules import check
from readq.store import VIEW_NAME_MAX, VIEW_NAME_REFUSED
from readq.tags import TagNameError, clean_tag, tag_key
from readq.textclean import strip_unsafe

REVISION_KINDS = ("save", "restore", "conflict", "import", "external")
"""The kinds of note revision readq writes (see :class:`readq.models.NoteRevision`)."""


class _Invalid(Exception):
    """A problem in one value (turned into an ``IngestError`` naming the file)."""


def parse_json(text: str, name: str) -> ParsedImport:
    """Parse and validate a readq JSON export held in ``text`` (``name`` is for messages)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(name, f"malformed JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise IngestError(name, "malformed JSON (nested too deeply)") from None
    ingests: list[Any] = []
    views: list[tuple[str, str]] = []
    rule_items: list[Any] = []
    if isinstance(data, list):
        papers, complete = data, False
    elif isinstance(data, dict):
        if data.get("format") != FORMAT_NAME or "papers" not in data:
            raise IngestError(name, "is JSON but not a readq export")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise IngestError(name, "readq export without a format version")
        if version > FORMAT_VERSION:
            raise IngestError(
                name, f"written by a newer readq (format version {version}); upgrade readq"
            )
        papers = data["papers"]
        ingests = data.get("ingests") or []
        views = _views(name, data.get("views") or [])
        rule_items = data.get("rules") or []
        if not isinstance(rule_items, list):
            raise IngestError(name, "readq export with a malformed rules list")
        complete = data.get("complete") is True
        if not isinstance(papers, list) or not isinstance(ingests, list):
            raise IngestError(name, "readq export with a malformed papers or ingests list")
    else:
        raise IngestError(name, "is JSON but not a readq export")
    records: list[ImportRecord] = []
    seen_ids: set[int] = set()
    for index, item in enumerate(papers, start=1):
        papers[index - 1] = None  # free each parsed object once converted (peak memory)
        try:
            record = _paper(item)
        except _Invalid as exc:
            raise IngestError(name, f"paper {index}: {exc}") from None
        if record.old_id is not None:
            if record.old_id in seen_ids:
                raise IngestError(name, f"paper {index}: id {record.old_id} appears twice")
            seen_ids.add(record.old_id)
        records.append(record)
    log: list[IngestLogRecord] = []
    for index, item in enumerate(ingests, start=1):
        try:
            log.append(_ingest(item))
        except _Invalid as exc:
            raise IngestError(name, f"ingest log entry {index}: {exc}") from None
    found_rules: list[RuleRecord] = []
    for index, item in enumerate(rule_items, start=1):
        try:
            found_rules.append(_rule(item))
        except (_Invalid, ValueError) as exc:
            raise IngestError(name, f"rule {index}: {exc}") from None
    return ParsedImport(
        format="json",
        records=records,
        ingests=log,
        complete=complete,
        keeps_ids=isinstance(data, dict),
        views=views,
        rules=found_rules,
    )


def _rule(item: Any) -> RuleRecord:
    if not isinstance(item, dict):
        raise _Invalid("not an object")
    tag = _str(item, "tag", required=True) or ""
    query = _str(item, "query", required=True) or ""
    name, _parsed = check(tag, query)
    return RuleRecord(name, query, _timestamp(item, "created_at"))


def _tags(item: dict[str, Any], key: str) -> tuple[str, ...]:
    """A list of tag names (checked as ``readq tag add`` checks them)."""
    values = _list(item, key)
    if not all(isinstance(v, str) for v in values):
        raise _Invalid(f"{key} is not a list of strings")
    try:
        return tuple(dict.fromkeys(clean_tag(v) for v in values))
    except TagNameError as exc:
        raise _Invalid(f"{key}: {exc}") from None


def _paper(item: Any) -> ImportRecord:
    if not isinstance(item, dict):
        raise _Invalid("not an object")
    title = strip_unsafe(_str(item, "title", required=True) or "", keep_newlines=False)
    if not title.strip():
        raise _Invalid("empty title")
    status_text = _str(item, "status")
    try:
        status = Status.parse(status_text) if status_text is not None else None
    except ValueError as exc:
        raise _Invalid(str(exc)) from None
    urls = item.get("urls") or []
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        raise _Invalid("urls is not a list of strings")
    revisions = _revisions(_list(item, "note_revisions"))
    note_revision = _int(item, "note_revision")
    if note_revision is not None and note_revision not in {r.id for r in revisions}:
        raise _Invalid(f"note_revision {note_revision} is not one of its revisions")
    paper = ScrapedPaper(
        title=title,
        abstract=strip_unsafe(_str(item, "abstract") or ""),
        title_derived=_bool(item, "title_derived"),
        published=_date(item, "published"),
        published_text=_clean_or_none(_str(item, "published_text")),
        upvotes=_count(item, "upvotes"),
        authors=_count(item, "authors"),
        org=_clean_or_none(_str(item, "org")),
        urls=tuple(dict.fromkeys(_one_line(u) for u in urls if u.strip())),
        arxiv_id=_clean_or_none(_str(item, "arxiv_id")),
        arxiv_version=_version(item),
        author_names=_strings(item, "author_names"),
        categories=_strings(item, "categories"),
        comments=_clean_or_none(_str(item, "comments")),
        journal_ref=_clean_or_none(_str(item, "journal_ref")),
        doi=_clean_or_none(_str(item, "doi")),
        abstract_partial=_bool(item, "abstract_partial"),
        summary=_clean_or_none(_str(item, "summary")),
    )
    return ImportRecord(
        paper=paper,
        status=status,
        starred=_bool(item, "starred"),
        note=_str(item, "note") or "",
        old_id=_positive(item, "id"),
        note_revision=note_revision,
        revisions=revisions,
        sources=tuple(_source(s) for s in _list(item, "sources")),
        added_at=_timestamp(item, "added_at"),
        updated_at=_timestamp(item, "updated_at"),
        deleted_at=_timestamp(item, "deleted_at"),
        # A read date belongs to a read paper only (as marking does it).
        read_at=_timestamp(item, "read_at") if status is Status.READ else None,
        # A queue place belongs to a to-read paper only (as marking does it).
        queue_pos=_place(item) if status is Status.TO_READ else None,
        tags=_tags(item, "tags"),
        tags_removed=tuple(dict.fromkeys(tag_key(t) for t in _tags(item, "tags_removed"))),
        not_interested_at=_timestamp(item, "not_interested_at"),
    )


def _place(item: dict[str, Any]) -> float | None:
    """``queue_pos``: a finite number, or absent."""
    value = item.get("queue_pos")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid("queue_pos is not a number")
    place = float(value)
    if not math.isfinite(place):
        raise _Invalid("queue_pos is not a finite number")
    return place


def _views(name: str, items: Any) -> list[tuple[str, str]]:
    """The saved views of a complete export: (name, query) pairs, names unique (any case)."""
    if not isinstance(items, list):
        raise IngestError(name, "readq export with a malformed views list")
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise IngestError(name, f"view {index}: not an object")
        try:
            view_name = _one_line(_str(item, "name", required=True) or "")
            query = _one_line(_str(item, "query", required=True) or "")
        except _Invalid as exc:
            raise IngestError(name, f"view {index}: {exc}") from None
        if any(c in view_name for c in VIEW_NAME_REFUSED) or len(view_name) > VIEW_NAME_MAX:
            raise IngestError(name, f"view {index}: not a view name readq writes: {view_name!r}")
        if not view_name or view_name.casefold() in seen:
            raise IngestError(name, f"view {index}: empty or repeated name {view_name!r}")
        seen.add(view_name.casefold())
        found.append((view_name, query))
    return found


def _revisions(items: list[Any]) -> tuple[RevisionRecord, ...]:
    """A paper's note revisions; each base must be another of them (ids unique)."""
    revisions: list[RevisionRecord] = []
    for index, item in enumerate(items, start=1):
        try:
            revisions.append(_revision(item))
        except _Invalid as exc:
            raise _Invalid(f"note revision {index}: {exc}") from None
    ids: set[int] = set()
    for index, revision in enumerate(revisions, start=1):
        if revision.id is not None:
            if revision.id in ids:
                raise _Invalid(f"note revision {index}: id {revision.id} appears twice")
            ids.add(revision.id)
    for index, revision in enumerate(revisions, start=1):
        if revision.base is not None and (revision.base == revision.id or revision.base not in ids):
            raise _Invalid(
                f"note revision {index}: base {revision.base} is not another of its revisions"
            )
    return tuple(revisions)


def _strings(item: dict[str, Any], key: str) -> tuple[str, ...]:
    """A list of one-line strings (author names, categories); empty ones are dropped."""
    values = _list(item, key)
    if not all(isinstance(v, str) for v in values):
        raise _Invalid(f"{key} is not a list of strings")
    cleaned = (" ".join(_one_line(v).split()) for v in values)
    return tuple(v for v in cleaned if v)


def _version(item: dict[str, Any]) -> int | None:
    """``arxiv_version``: a positive integer or null."""
    version = _int(item, "arxiv_version")
    if version is not None and version < 1:
        raise _Invalid("arxiv_version is not a positive integer")
    return version


def _revision(item: Any) -> RevisionRecord:
    if not isinstance(item, dict):
        raise _Invalid("not an object")
    created = _timestamp(item, "created_at", required=True)
    assert created is not None
    kind = _str(item, "kind") or "save"
    if kind not in REVISION_KINDS:
        raise _Invalid(f"kind {_shown(kind)} is not one of {', '.join(REVISION_KINDS)}")
    return RevisionRecord(
        id=_positive(item, "id"),
        text=_str(item, "text", required=True) or "",
        created_at=created,
        kind=kind,
        base=_positive(item, "base"),
    )


def _source(item: Any) -> Source:
    if isinstance(item, str):
        return Source(name=_one_line(item), path=_one_line(item), seen_at="")
    if not isinstance(item, dict):
        raise _Invalid("a source is not an object")
    name = _one_line(_str(item, "name", required=True) or "")
    path = _one_line(_str(item, "path") or name)
    return Source(name=name, path=path, seen_at=_timestamp(item, "seen_at") or "")


def _ingest(item: Any) -> IngestLogRecord:
    if not isinstance(item, dict):
        raise _Invalid("not an object")
    return IngestLogRecord(
        id=_positive(item, "id"),
        name=_one_line(_str(item, "name") or ""),
        path=_one_line(_str(item, "path") or ""),
        format=_one_line(_str(item, "format") or ""),
        at=_timestamp(item, "at") or "",
        papers=_count(item, "papers") or 0,
        new=_count(item, "new") or 0,
        merged=_count(item, "merged") or 0,
    )


def _str(item: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = item.get(key)
    if value is None:
        if required:
            raise _Invalid(f"missing {key}")
        return None
    if not isinstance(value, str):
        raise _Invalid(f"{key} is not a string")
    return value


def _int(item: dict[str, Any], key: str) -> int | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= 2**63:
        raise _Invalid(f"{key} is not an integer")
    return value


def _count(item: dict[str, Any], key: str) -> int | None:
    """An integer that counts something (upvotes, authors, papers): never negative."""
    value = _int(item, key)
    if value is not None and value < 0:
        raise _Invalid(f"{key} {value} is negative")
    return value


def _positive(item: dict[str, Any], key: str) -> int | None:
    """An id (of a paper, a revision, an ingest): SQLite rowids readq writes start at 1."""
    value = _int(item, key)
    if value is not None and value < 1:
        raise _Invalid(f"{key} {value} is not a positive id")
    return value


def _date(item: dict[str, Any], key: str) -> str | None:
    """A calendar date as readq stores it: ``YYYY-MM-DD``, a day that exists."""
    value = _str(item, key)
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        date.fromisoformat(value)
    except ValueError:
        raise _Invalid(f"{key} {_shown(value)} is not a date (YYYY-MM-DD)") from None
    return value


def _timestamp(item: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    """An ISO 8601 date and time (readq writes UTC with microseconds); "" counts as absent."""
    value = _str(item, key, required=required)
    if value is None or (value == "" and not required):
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        stamp = None
    if stamp is None or not value[:4].isdigit():
        raise _Invalid(f"{key} {_shown(value)} is not an ISO 8601 date and time")
    return value


def _shown(value: str) -> str:
    """A bad value quoted for the error line: one line, at most 40 characters."""
    text = _one_line(value)
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _bool(item: dict[str, Any], key: str) -> bool:
    value = item.get(key, False)
    if value in (0, 1) and not isinstance(value, float):
        return bool(value)
    raise _Invalid(f"{key} is not true or false")


def _list(item: dict[str, Any], key: str) -> list[Any]:
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Invalid(f"{key} is not a list")
    return value


def _one_line(value: str) -> str:
    return strip_unsafe(value, keep_newlines=False)


def _clean_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = _one_line(value)
    return cleaned if cleaned.strip() else None
