"""Tags and rules in the library: hand tags with one undo step (bulk included), rules that
tag what matches now and what arrives later (ingest, import, ``add``) in the same
transaction, a hand removal no rule undoes, rename and merge, the JSON backup round trip,
and the m008 migration on a library of the previous schema."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from readq import rules
from readq.ingest.errors import IngestError
from readq.library import Library
from readq.library.undo import TagChange
from readq.migrations import KNOWN_MIGRATIONS, migrations
from readq.models import ScrapedPaper, Source
from readq.search.engine import SearchEngine
from readq.store import Store, UnknownPaperError
from readq.tags import TagNameError, clean_tag

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TITLES = [
    "Gradient Lanterns for Quiet Experts",
    "Moss Tables and Avatar Kettles",
    "Velvet Routers in Orbit",
    "Talking Head Teapots",
]


def _papers() -> list[ScrapedPaper]:
    return [
        ScrapedPaper(t, f"A fictional abstract about {t.lower()}, long enough to be a key.")
        for t in TITLES
    ]


@pytest.fixture
def library(db_path: Path) -> Iterator[Library]:
    """Four fictional papers: #1 Lanterns, #2 Avatar Kettles, #3 Routers, #4 Talking Head."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(db_path)
    store.ingest(_papers(), Source("hf.txt", "/l/hf.txt", "2026-01-01"), "hf")
    lib = Library(store)
    try:
        yield lib
    finally:
        lib.close()


def _tags(library: Library) -> dict[int, tuple[str, ...]]:
    return {p.id: p.tags for p in library.store.list_papers() if p.tags}


# ---------------------------------------------------------------------- names
@pytest.mark.parametrize(
    ("typed", "stored"),
    [("Project/Avatars", "Project/Avatars"), (" #survey ", "survey"), ("ml-ops.2", "ml-ops.2")],
)
def test_tag_names_are_kept_as_typed(typed: str, stored: str) -> None:
    assert clean_tag(typed) == stored


@pytest.mark.parametrize(
    "bad", ["", "two words", "a,b", 'quo"te', "a//b", "/a", "a/", "x\x1b[2J", "-dash", "a" * 81]
)
def test_bad_tag_names_are_refused(bad: str) -> None:
    with pytest.raises(TagNameError):
        clean_tag(bad)


# ------------------------------------------------------------------ hand tags
def test_bulk_tagging_is_one_undo_step_and_redo_applies_it_again(library: Library) -> None:
    done = library.tag([1, 2, 3], add=["Project/Avatars", "survey"])
    assert done.ids == (1, 2, 3) and isinstance(done.change, TagChange)
    assert _tags(library) == {i: ("Project/Avatars", "survey") for i in (1, 2, 3)}
    # Case-insensitive: the same tag, shown as first typed.
    library.tag([4], add=["PROJECT/avatars"])
    assert _tags(library)[4] == ("Project/Avatars",)
    library.undo()
    library.undo()
    assert _tags(library) == {}
    assert library.tag_counts() == []  # an unused tag is gone
    library.redo()
    assert _tags(library) == {i: ("Project/Avatars", "survey") for i in (1, 2, 3)}


def test_one_edit_adds_and_removes_and_undo_restores_both(library: Library) -> None:
    library.tag([1, 2], add=["a", "b"])
    library.tag([1, 2], add=["c"], remove=["a"])
    assert _tags(library) == {1: ("b", "c"), 2: ("b", "c")}
    library.undo()
    assert _tags(library) == {1: ("a", "b"), 2: ("a", "b")}


def test_a_bad_name_or_unknown_paper_changes_nothing(library: Library) -> None:
    library.tag([1], add=["kept"])
    with pytest.raises(ValueError):
        library.tag([1, 2], add=["fine", "not fine"])
    with pytest.raises(UnknownPaperError):
        library.tag([1, 99], add=["fine"])
    assert _tags(library) == {1: ("kept",)}
    assert len(library.undo_stack.undo_stack) == 1


def test_counts_leave_out_the_trash(library: Library) -> None:
    library.tag([1, 2, 3], add=["x"])
    library.delete([3])
    assert [(t.name, t.count) for t in library.tag_counts()] == [("x", 2)]


# ---------------------------------------------------------------------- rules
def test_a_rule_tags_what_matches_now_and_reports_its_count(library: Library) -> None:
    rule, count = library.add_rule("faces", 'avatar OR "talking head"')
    assert count == 2
    assert _tags(library) == {2: ("faces",), 4: ("faces",)}
    assert [(r.id, r.tag, n) for r, n in library.rules()] == [(rule.id, "faces", 2)]
    with pytest.raises(ValueError):
        library.add_rule("faces", "(avatar")
    with pytest.raises(ValueError):
        library.add_rule("two words", "avatar")
    assert len(library.rules()) == 1


def test_a_rule_tags_papers_that_arrive_by_ingest(library: Library, tmp_path: Path) -> None:
    library.add_rule("lanterns", "lantern")
    page = tmp_path / "search.txt"
    page.write_text((FIXTURES / "arxiv_search.txt").read_text(encoding="utf-8"), encoding="utf-8")
    report = library.ingest([str(page)])[0]
    assert report.error is None and report.result is not None
    new = set(report.result.new_ids)
    tagged = {pid for pid, names in _tags(library).items() if "lanterns" in names}
    matching = {
        p.id
        for p in library.store.get_many(sorted(new))
        if "lantern" in p.title.lower() + p.abstract.lower()
    }
    assert matching and matching <= tagged
    assert 1 in tagged  # the paper that matched when the rule was added


def test_rule_tags_are_written_in_the_ingest_transaction(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If tagging fails, the papers are not stored either: one transaction."""
    library.add_rule("lanterns", "lantern")
    page = tmp_path / "search.txt"
    page.write_text((FIXTURES / "arxiv_search.txt").read_text(encoding="utf-8"), encoding="utf-8")

    def broken(store: Store, ids: object) -> int:
        raise RuntimeError("tagging failed")

    monkeypatch.setattr(rules, "apply_to_new", broken)
    with pytest.raises(RuntimeError):
        library.ingest([str(page)])
    assert library.store.count() == len(TITLES)


def test_a_hand_removed_rule_tag_is_not_put_back(library: Library) -> None:
    library.add_rule("faces", "avatar")
    library.tag([2], remove=["faces"])
    assert _tags(library) == {}
    # Neither the same rule applied again (an import of it) nor another rule for the tag.
    library.add_rule("FACES", "kettles")
    assert _tags(library) == {}
    assert [n for _r, n in library.rules()] == [0, 0]
    # Tagging by hand again forgets the removal.
    library.tag([2], add=["faces"])
    library.tag([2], remove=["faces"])
    library.tag([2], add=["faces"])
    assert _tags(library) == {2: ("faces",)}


def test_rules_tag_papers_added_from_the_arxiv_api(api: object, db_path: Path) -> None:
    from readq.arxiv_api import add_papers

    db_path.parent.mkdir(parents=True, exist_ok=True)
    with Store.open(db_path) as store:
        Library(store).add_rule("kettles", "kettles")
        add_papers(store, ["2612.04011", "2612.05522"])
        tagged = {p.title: p.tags for p in store.list_papers()}
    assert tagged["Teacup Routing for Mixture-of-Kettles Models"] == ("kettles",)
    assert tagged["Lantern Attention: Lighting Long Contexts with Sparse Wicks"] == ()


def test_removing_a_rule_keeps_its_tags(library: Library) -> None:
    rule, _count = library.add_rule("faces", "avatar")
    assert library.remove_rule(rule.id) == rule
    assert library.remove_rule(rule.id) is None
    assert library.rules() == [] and _tags(library) == {2: ("faces",)}


def test_preview_counts_without_saving(library: Library) -> None:
    count, papers = library.preview_rule("faces", 'avatar OR "talking head"')
    assert count == 2 and {p.id for p in papers} == {2, 4}
    assert library.rules() == [] and _tags(library) == {}


def test_a_rule_over_many_papers_takes_seconds(db_path: Path) -> None:
    """20k papers here (the README's 100k figure is from benchmarks/): one INSERT..SELECT."""
    import time

    db_path.parent.mkdir(parents=True, exist_ok=True)
    with Store.open(db_path) as store:
        papers = [
            ScrapedPaper(f"Paper {i} on {'kettles' if i % 3 else 'teapots'}", f"Abstract {i}.")
            for i in range(20_000)
        ]
        store.ingest(papers, Source("big", "/big", "2026-01-01"), "hf")
        start = time.perf_counter()
        _rule, count = Library(store).add_rule("kettles", "kettles")
        assert time.perf_counter() - start < 5
        assert count == 13_333


# ------------------------------------------------------------- rename / merge
def test_rename_moves_rules_and_removals_and_merges_into_an_existing_tag(
    library: Library,
) -> None:
    library.add_rule("faces", "avatar")
    library.tag([4], add=["heads"])
    library.tag([1], add=["faces"])
    library.tag([1], remove=["faces"])  # remembered for "faces"
    assert library.rename_tag("Faces", "Heads") == (2, True)
    assert _tags(library) == {2: ("heads",), 4: ("heads",)}
    assert [r.tag for r, _n in library.rules()] == ["heads"]
    library.add_rule("heads", "lanterns")  # #1's removal followed the rename
    assert 1 not in _tags(library)
    assert library.rename_tag("heads", "HEADS") == (2, False)  # only the spelling
    assert [t.name for t in library.tag_counts()] == ["HEADS"]
    with pytest.raises(ValueError):
        library.rename_tag("missing", "x")
    with pytest.raises(ValueError):
        library.rename_tag("HEADS", "bad name")


# ----------------------------------------------------------- search and index
def test_tag_changes_reach_a_loaded_index_without_a_rebuild(library: Library) -> None:
    engine = SearchEngine.load(library.store.open_reader())
    try:
        assert list(engine.search("tag:project")) == []
        library.tag([1, 3], add=["project/avatars"])
        assert set(engine.search("tag:project")) == {1, 3}
        library.undo()
        assert list(engine.search("has:tag")) == []
    finally:
        engine.close()


# ---------------------------------------------------------------- round trips
def _backup(library: Library) -> str:
    out = io.StringIO()
    library.export(None, "json", out)
    return out.getvalue()


def test_the_json_backup_round_trips_tags_rules_and_removals(
    library: Library, tmp_path: Path
) -> None:
    library.add_rule("faces", 'avatar OR "talking head"')
    library.tag([1, 2], add=["Project/Avatars"])
    library.tag([4], remove=["faces"])
    text = _backup(library)
    data = json.loads(text)
    assert data["rules"][0]["tag"] == "faces"
    by_id = {p["id"]: p for p in data["papers"]}
    assert by_id[2]["tags"] == ["faces", "Project/Avatars"]
    assert by_id[4]["tags_removed"] == ["faces"]
    path = tmp_path / "backup.json"
    path.write_text(text, encoding="utf-8")
    target = tmp_path / "restored" / "readq.db"
    target.parent.mkdir()
    with Store.open(target) as store:
        restored = Library(store)
        report = restored.import_file(str(path))
        assert report.result is not None and report.result.restored
        assert _tags(restored) == _tags(library)
        assert [(r.tag, r.query) for r, _n in restored.rules()] == [
            ("faces", 'avatar OR "talking head"')
        ]
        assert json.loads(_backup(restored))["papers"] == data["papers"]
        # The removal came back too: the rule does not re-tag #4.
        restored.add_rule("faces", "teapots")
        assert 4 not in _tags(restored)


def test_a_merge_import_keeps_local_removals_and_runs_rules_on_new_papers(
    library: Library, tmp_path: Path
) -> None:
    library.tag([2], add=["faces"])
    text = _backup(library)
    library.tag([2], remove=["faces"])  # removed here after the backup
    library.add_rule("teapot-ish", "teapots")
    path = tmp_path / "backup.json"
    path.write_text(text, encoding="utf-8")
    extra = {
        "title": "Teapots All the Way Down",
        "abstract": "A fictional abstract about teapots stacked very high indeed.",
        "tags": ["imported"],
    }
    data = json.loads(text)
    data["papers"].append(extra)
    path.write_text(json.dumps(data), encoding="utf-8")
    report = library.import_file(str(path))
    assert report.result is not None and report.result.new == 1
    tags = _tags(library)
    assert 2 not in tags  # the file's "faces" lost to the removal made here
    assert tags[5] == ("imported", "teapot-ish")


def test_a_bad_tag_in_an_import_is_refused_and_nothing_changes(
    library: Library, tmp_path: Path
) -> None:
    data = json.loads(_backup(library))
    data["papers"][0]["tags"] = ["no good"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IngestError, match="paper 1: tags: bad tag name 'no good'"):
        library.import_file(str(path))
    assert _tags(library) == {}


# ------------------------------------------------------------------ migration
def test_a_library_of_the_previous_schema_gains_tags(db_path: Path) -> None:
    """m008 on a library made by m001-m007: papers and state kept, tags usable at once."""
    db_path.parent.mkdir(parents=True)
    db = Database(str(db_path))
    migrations.apply(db, stop_before="m008_tags")
    db.close()
    with Store.open(db_path, migrate=False) as old:
        old.ingest(_papers(), Source("s", "/s", "2026-01-01"), "hf")
        assert old.applied_migrations() == list(
            KNOWN_MIGRATIONS[: KNOWN_MIGRATIONS.index("m008_tags")]
        )
    with Store.open(db_path) as store:
        assert store.applied_migrations() == list(KNOWN_MIGRATIONS)
        assert [p.tags for p in store.list_papers()] == [()] * len(TITLES)
        store.change_tags([1], ["kept"])
        assert store.get(1).tags == ("kept",)
        store.empty_trash()
        store.trash([1])
        store.empty_trash()
        assert store.tag_counts() == [] or all(t.count == 0 for t in store.tag_counts())


def test_re_ingest_never_touches_tags(library: Library, tmp_path: Path) -> None:
    page = tmp_path / "search.txt"
    page.write_text((FIXTURES / "arxiv_search.txt").read_text(encoding="utf-8"), encoding="utf-8")
    library.ingest([str(page)])
    library.add_rule("lanterns", "lantern")
    library.tag([5], remove=["lanterns"])
    library.tag([6, 7], add=["mine"])
    before = (_tags(library), library.store.tag_snapshot(range(1, 9)))
    report = library.ingest([str(page)])[0]
    assert report.result is not None and report.result.new == 0
    assert (_tags(library), library.store.tag_snapshot(range(1, 9))) == before


def test_removing_a_tag_a_paper_lacks_remembers_nothing(library: Library) -> None:
    library.tag([2], add=["faces"])
    done = library.tag([1, 2], remove=["faces"])  # a selection where only #2 had it
    assert done.ids == (2,)
    library.add_rule("faces", "lanterns OR kettles")
    assert _tags(library) == {1: ("faces",)}
