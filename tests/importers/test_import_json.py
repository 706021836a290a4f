"""Importing readq JSON into a non-empty library: dedupe, user state, notes never lost."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.exportlib import build_library, snapshot

from readq.export import export_papers
from readq.importers import IngestError, import_path, import_text
from readq.importers.json import REVISION_KINDS, parse_json
from readq.importers.records import ParsedImport
from readq.models import ScrapedPaper, Source, Status
from readq.store import Store


def _export(store: Store) -> str:
    out = io.StringIO()
    export_papers(store, None, "json", out)
    return out.getvalue()


def import_json_text(text: str) -> ParsedImport:
    """Parse ``text`` as a file called bad.json (nothing applied)."""
    return parse_json(text, "bad.json")


def _rev(rid: int, **fields: Any) -> dict[str, Any]:
    """A note revision as a readq export writes it."""
    fields.setdefault("created_at", "2026-01-02T10:00:00.000000+00:00")
    return {"id": rid, "text": f"note {rid}", "kind": "save", **fields}


def _doc(*papers: dict[str, Any]) -> str:
    return json.dumps({"format": "readq", "version": 1, "papers": list(papers)})


def test_importing_a_library_into_itself_changes_nothing(store: Store) -> None:
    build_library(store)
    before = snapshot(store)
    report = import_text(store, _export(store), name="self.json")
    assert (report.result.new, report.result.merged, report.result.updated) == (0, 4, 0)
    after = snapshot(store)
    assert after["papers"] == before["papers"]
    assert after["note_revisions"] == before["note_revisions"]


def test_merge_keeps_user_state_and_notes(store: Store, tmp_path: Path) -> None:
    build_library(store)
    other_path = tmp_path / "other.db"
    with Store.open(other_path) as other:
        other.ingest(
            [
                ScrapedPaper("quantum teapots for biscuit RANKING!", "x", org="Other Org"),
                ScrapedPaper("Quantum Kettles", "Kettles, in a quantum way."),
                ScrapedPaper("A Brand New Paper", "Never seen before.", published="2023-02-01"),
            ],
            Source("other.txt", "/o", "2026-01-02T00:00:00+00:00"),
            "hf",
        )
        other.set_status([1], Status.NEW)  # library says read: kept
        other.set_status([2], Status.READ)  # library says new: taken
        other.set_starred([2, 3], True)
        other.save_note(1, "A different opinion.")
        other.save_note(2, "Kettle note.")
        other.save_note(3, "Fresh note.")
        _, rev = other.note_state(3)
        other.save_note(3, "Fresh note, edited.", base_revision=rev, coalesce_seconds=0)
        text = _export(other)
    report = import_text(store, text, name="other.json")
    result = report.result
    assert (result.papers, result.new, result.merged, result.conflicts) == (3, 1, 2, 1)
    teapot = store.get(1)
    assert teapot.status is Status.READ and teapot.starred
    assert teapot.note == "Edited elsewhere."  # never overwritten
    conflicts = [r for r in store.note_revisions(1) if r.kind == "conflict"]
    assert "A different opinion." in [r.text for r in conflicts]
    assert teapot.org == "Lantern Lab"  # scraped fields: only missing ones filled
    assert "other.txt" in {s.name for s in teapot.sources}
    kettles = store.get(4)
    assert kettles.status is Status.READ and kettles.starred and kettles.note == "Kettle note."
    assert store.note_revisions(4)[0].kind == "import"
    fresh = next(p for p in store.list_papers() if p.title == "A Brand New Paper")
    assert fresh.starred and fresh.note == "Fresh note, edited."
    assert [r.text for r in store.note_revisions(fresh.id)] == [
        "Fresh note, edited.",
        "Fresh note.",
    ]
    assert fresh.note_revision == store.note_revisions(fresh.id)[0].id
    again = import_text(store, text, name="other.json").result
    assert (again.new, again.conflicts, again.updated) == (0, 0, 0)


def test_derived_titles_merge_by_abstract(store: Store) -> None:
    abstract = "We introduce Crumbs, a derived-title paper with a long enough abstract."
    store.ingest(
        [ScrapedPaper("Crumbs", abstract, title_derived=True)], Source("a", "/a", "t"), "x"
    )
    doc = _doc({"title": "Crumbs: other words", "title_derived": True, "abstract": abstract})
    result = import_text(store, doc, name="d.json").result
    assert (result.new, result.merged) == (0, 1)
    assert store.count() == 1


def test_list_json_output_is_accepted(store: Store, tmp_path: Path) -> None:
    build_library(store)
    array = json.dumps([p.to_json() for p in store.list_papers()])
    with Store.open(tmp_path / "fresh.db") as fresh:
        result = import_text(fresh, array, name="list.json").result
        assert not result.restored and result.new == 4
        assert {p.title for p in fresh.list_papers()} == {p.title for p in store.list_papers()}
        assert fresh.stats() == store.stats()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"papers": []}', "not a readq export"),
        ('{"format": "readq", "papers": []}', "without a format version"),
        ('{"format": "readq", "version": 99, "papers": []}', "newer readq"),
        ('"just a string"', "not a readq export"),
        (_doc({"abstract": "no title"}), "paper 1: missing title"),
        (_doc({"title": "T", "status": "skimmed"}), "paper 1: unknown status"),
        (_doc({"title": "T", "starred": "yes"}), "paper 1: starred is not true or false"),
        (_doc({"title": "T", "urls": "http://x"}), "paper 1: urls is not a list"),
        (_doc({"title": "T", "id": 1}, {"title": "U", "id": 1}), "paper 2: id 1 appears twice"),
        (_doc({"title": "T", "note_revision": 5}), "note_revision 5 is not one of its"),
        ("[" * 100_000, "malformed JSON"),
        # Issue 12 item 18: values of the right type but wrong.
        (_doc({"title": "T", "published": "2024-13-45"}), "paper 1: published '2024-13-45' is"),
        (_doc({"title": "T", "published": "2024-02-30"}), "paper 1: published .* not a date"),
        (_doc({"title": "T", "published": "2024"}), "paper 1: published '2024' is not a date"),
        (_doc({"title": "T", "added_at": "not a date"}), "paper 1: added_at 'not a date' is"),
        (_doc({"title": "T", "updated_at": "2024-99-01T00:00"}), "paper 1: updated_at"),
        (_doc({"title": "T", "upvotes": -3}), "paper 1: upvotes -3 is negative"),
        (_doc({"title": "T", "authors": -1}), "paper 1: authors -1 is negative"),
        (_doc({"title": "T", "id": 0}), "paper 1: id 0 is not a positive id"),
        (_doc({"title": "T", "sources": [{"name": "a", "seen_at": "x"}]}), "paper 1: seen_at"),
        (
            _doc({"title": "T"}, {"title": "U", "note_revisions": [_rev(1, kind="bogus")]}),
            "paper 2: note revision 1: kind 'bogus' is not one of save, restore",
        ),
        (
            _doc({"title": "T", "note_revisions": [_rev(1), _rev(2, base=999)]}),
            "paper 1: note revision 2: base 999 is not another of its revisions",
        ),
        (
            _doc({"title": "T", "note_revisions": [_rev(1, base=1)]}),
            "paper 1: note revision 1: base 1 is not another",
        ),
        (
            _doc({"title": "T", "note_revisions": [_rev(3), _rev(3)]}),
            "paper 1: note revision 2: id 3 appears twice",
        ),
        (
            _doc({"title": "T", "note_revisions": [_rev(1, created_at="yesterday")]}),
            "paper 1: note revision 1: created_at 'yesterday' is not an ISO 8601",
        ),
        (
            json.dumps(
                {"format": "readq", "version": 1, "papers": [], "ingests": [{"at": "soon"}]}
            ),
            "ingest log entry 1: at 'soon'",
        ),
        (
            json.dumps({"format": "readq", "version": 1, "papers": [], "ingests": [{"new": -1}]}),
            "ingest log entry 1: new -1 is negative",
        ),
    ],
)
def test_invalid_documents_are_refused_whole(store: Store, text: str, message: str) -> None:
    build_library(store)
    before = snapshot(store)
    with pytest.raises(IngestError, match=message) as info:
        import_text(store, text, name="bad.json")
    assert str(info.value).startswith("bad.json: ")
    assert snapshot(store) == before


def test_a_failure_while_applying_rolls_everything_back(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_library(store)
    path = tmp_path / "lib.json"
    path.write_text(_doc({"title": "One"}, {"title": "Two"}, {"title": "Three"}))
    before = snapshot(store)
    from readq.importers import apply

    real = apply._insert_new
    calls = []

    def failing(*args: Any, **kwargs: Any) -> int:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(apply, "_insert_new", failing)
    with pytest.raises(RuntimeError):
        import_path(store, str(path))
    assert snapshot(store) == before


def test_titles_without_a_key_are_told_apart_by_their_abstracts(store: Store) -> None:
    """Issue 12 item 3 (import side): an import's in-file dedupe uses the same identity rule."""
    store.ingest([ScrapedPaper(title="Existing", abstract="x" * 60)], Source("a", "a", "t"), "hf")
    papers = [
        {"title": title, "abstract": f"We study fictional problem number {i} and report on it."}
        for i, title in enumerate(("🚀", "🔥", "∇"))
    ]
    papers += [{"title": "..", "abstract": "Short."}, {"title": "...", "abstract": "Short."}]
    result = import_text(store, json.dumps(papers), name="symbols.json").result
    assert (result.new, result.merged) == (5, 0)
    again = import_text(store, json.dumps(papers[:3]), name="symbols.json").result
    assert (again.new, again.merged) == (0, 3)
    assert store.count() == 6


_ANY_VALUE = st.one_of(
    st.none(),
    st.integers(min_value=-5, max_value=5),
    st.sampled_from(["", "x", "2024-02-29", "2023-02-29", "2024-13-45", "2024", "bogus"]),
    st.sampled_from(["2026-01-02T10:00:00+00:00", "2026-01-02", "not a date", "save", "import"]),
    st.booleans(),
)
_FIELDS = ["published", "added_at", "updated_at", "upvotes", "authors", "id", "status"]


@settings(max_examples=300)
@given(
    st.dictionaries(st.sampled_from(_FIELDS), _ANY_VALUE, max_size=4),
    st.lists(
        st.fixed_dictionaries(
            {"id": st.integers(1, 4), "kind": _ANY_VALUE, "base": _ANY_VALUE},
            optional={"created_at": _ANY_VALUE},
        ),
        max_size=3,
    ),
)
def test_whatever_is_accepted_is_valid(fields: dict[str, Any], revisions: list[Any]) -> None:
    """Issue 12 item 18, as a property: a document is refused with one line naming the paper
    (and the revision) and a field, or every value it yields is one readq itself writes."""
    item = {"title": "T", **fields, "note_revisions": [{"text": "n", **r} for r in revisions]}
    try:
        parsed = import_json_text(_doc(item))
    except IngestError as exc:
        message = str(exc)
        assert message.startswith("bad.json: paper 1: ") and "\n" not in message
        named = message.removeprefix("bad.json: paper 1: ")
        assert any(k in named for k in [*_FIELDS, "created_at", "kind", "base"]), named
        return
    (record,) = parsed.records
    if record.paper.published is not None:
        assert date.fromisoformat(record.paper.published)
    for stamp in (record.added_at, record.updated_at):
        assert stamp is None or datetime.fromisoformat(stamp)
    assert all(v is None or v >= 0 for v in (record.paper.upvotes, record.paper.authors))
    assert record.old_id is None or record.old_id > 0
    ids = {r.id for r in record.revisions}
    for revision in record.revisions:
        assert revision.kind in REVISION_KINDS
        assert datetime.fromisoformat(revision.created_at)
        assert revision.base is None or (revision.base in ids and revision.base != revision.id)


def test_read_dates_travel_in_the_json_backup(store: Store, tmp_path: Path) -> None:
    """``read_at`` is exported; a restore into an empty library keeps it, a merge into a
    library where the paper is new brings it, and a read date on an unread paper is ignored."""
    store.ingest(
        [ScrapedPaper("Reading Lamps", "About lamps."), ScrapedPaper("Unread Kites", "Kites.")],
        Source("a", "/a", "2026-01-01"),
        "hf",
    )
    store.set_status([1], Status.READ)
    read_at = store.get(1).read_at
    assert read_at is not None
    text = _export(store)
    assert [p["read_at"] for p in json.loads(text)["papers"]] == [read_at, None]
    with Store.open(tmp_path / "restored.db") as restored:
        import_text(restored, text, name="backup.json")
        assert restored.get(1).read_at == read_at
    with Store.open(tmp_path / "merged.db") as merged:
        merged.ingest([ScrapedPaper("Reading Lamps", "About lamps.")], Source("b", "/b", "x"), "hf")
        import_text(merged, text, name="backup.json")
        assert (merged.get(1).status, merged.get(1).read_at) == (Status.READ, read_at)
    odd = _doc({"title": "Unread Kites", "status": "new", "read_at": read_at})
    with Store.open(tmp_path / "odd.db") as other:
        import_text(other, odd, name="odd.json")
        assert other.get(1).read_at is None
