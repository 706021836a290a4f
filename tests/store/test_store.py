"""The Store: dedupe and merge, user state, notes and revisions, concurrency."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readq.models import ScrapedPaper, SortKey, Source, Status
from readq.store import (
    CACHE_KIB,
    INGEST_CACHE_KIB_MAX,
    Store,
    UnknownPaperError,
    identified,
    paper_of_row,
    scraped_values,
    year_less,
)
from readq.textclean import abstract_key, normalise_key

SRC_A = Source("a.txt", "/a.txt", "2026-01-01")
SRC_B = Source("b.txt", "/b.txt", "2026-01-02")


def paper(title: str, **fields) -> ScrapedPaper:  # type: ignore[no-untyped-def]
    fields.setdefault("abstract", f"Abstract of {title}. " * 10)
    return ScrapedPaper(title=title, **fields)


def test_the_same_paper_is_stored_once_across_spellings(store: Store) -> None:
    store.ingest([paper("Deep Nets: A Study")], SRC_A, "hf")
    result = store.ingest([paper("  deep   nets — a STUDY ", upvotes=4)], SRC_B, "hf")
    assert (result.new, result.merged) == (0, 1)
    (stored,) = store.list_papers()
    assert stored.title == "Deep Nets: A Study"
    assert stored.upvotes == 4
    assert {s.name for s in stored.sources} == {"a.txt", "b.txt"}


def test_nfkc_folds_compatibility_characters(store: Store) -> None:
    store.ingest([paper("Ｆｕｌｌwidth Title")], SRC_A, "hf")
    assert store.ingest([paper("Fullwidth title")], SRC_B, "hf").new == 0


def test_merge_fills_missing_fields_and_keeps_highest_upvotes(store: Store) -> None:
    store.ingest([paper("P", upvotes=9, authors=None)], SRC_A, "hf")
    store.ingest([paper("P", upvotes=3, authors=7, org="Org", published="2024-01-02")], SRC_B, "hf")
    stored = store.get(1)
    assert (stored.upvotes, stored.authors, stored.org, stored.published) == (
        9,
        7,
        "Org",
        "2024-01-02",
    )


def test_derived_titles_dedupe_on_the_abstract_and_upgrade_to_a_real_title(store: Store) -> None:
    abstract = "We introduce Thing-1, a thing. " * 8
    store.ingest([ScrapedPaper("Thing-1: a thing", abstract, title_derived=True)], SRC_A, "arxiv")
    assert (
        store.ingest(
            [ScrapedPaper("Thing-1: a thing", abstract, title_derived=True)], SRC_B, "arxiv"
        ).new
        == 0
    )
    # The same paper seen later with its real title: merged, the real title wins.
    store.ingest([ScrapedPaper("Thing-1: Real Title", abstract)], SRC_B, "hf")
    (stored,) = store.list_papers()
    assert stored.title == "Thing-1: Real Title" and not stored.title_derived


def test_reingest_never_touches_user_state(store: Store) -> None:
    store.ingest([paper("P1"), paper("P2")], SRC_A, "hf")
    store.set_status([1], Status.READ)
    store.set_starred([2], True)
    store.save_note(1, "my thoughts")
    store.ingest([paper("P1", upvotes=100), paper("P2")], SRC_A, "hf")
    one, two = store.get(1), store.get(2)
    assert one.status is Status.READ and one.note == "my thoughts" and one.upvotes == 100
    assert two.starred
    assert len(store.note_revisions(1)) == 1


def test_ingesting_the_same_file_twice_adds_nothing(store: Store) -> None:
    store.ingest([paper("P1"), paper("P2")], SRC_A, "hf")
    second = store.ingest([paper("P1"), paper("P2")], SRC_A, "hf")
    assert (second.new, second.merged, second.updated) == (0, 2, 0)
    assert store.count() == 2
    assert len(store.sources(1)) == 1


def test_status_star_and_undo_states(store: Store) -> None:
    store.ingest([paper("P1"), paper("P2")], SRC_A, "hf")
    before = store.set_status([1, 2], Status.TO_READ)
    assert {s.status for s in before} == {Status.NEW}
    store.set_starred([2], True)
    store.restore_states(before)
    assert store.get(1).status is Status.NEW and not store.get(2).starred


def test_unknown_ids_raise_and_change_nothing(store: Store) -> None:
    store.ingest([paper("P1")], SRC_A, "hf")
    with pytest.raises(UnknownPaperError):
        store.set_status([1, 99], Status.READ)
    assert store.get(1).status is Status.NEW


def test_note_revisions_coalesce_within_a_minute_and_restore(store: Store) -> None:
    store.ingest([paper("P1")], SRC_A, "hf")
    first = store.save_note(1, "a", base_revision=None)
    second = store.save_note(1, "ab", base_revision=first.revision_id)
    assert second.revision_id == first.revision_id  # coalesced autosave
    third = store.save_note(1, "abc", base_revision=second.revision_id, coalesce_seconds=0)
    assert third.revision_id != second.revision_id
    restored = store.restore_note_revision(int(first.revision_id or 0))
    assert store.get(1).note == "ab"
    assert store.note_revisions(1)[0].kind == "restore"
    assert restored.revision_id == store.get(1).note_revision


def test_note_conflict_keeps_both_texts(store: Store) -> None:
    store.ingest([paper("P1")], SRC_A, "hf")
    base = store.save_note(1, "start", base_revision=None).revision_id
    store.save_note(1, "theirs", base_revision=base)  # another process
    mine = store.save_note(1, "mine", base_revision=base - 1 if base else None)
    assert mine.conflict
    texts = {r.text for r in store.note_revisions(1)}
    assert {"theirs", "mine"} <= texts
    assert store.get(1).note == "mine"
    kinds = [r.kind for r in store.note_revisions(1)]
    assert "conflict" in kinds


def test_sorts(store: Store) -> None:
    store.ingest(
        [
            paper("B", upvotes=1, published="2024-01-01"),
            paper("A", upvotes=5, published="2023-01-01"),
            paper("C"),
        ],
        SRC_A,
        "hf",
    )
    order = lambda key: [p.title for p in store.list_papers(sort=key)]  # noqa: E731
    assert order(SortKey.ADDED) == ["B", "A", "C"]  # one ingest: the page's order
    assert order(SortKey.UPVOTES) == ["A", "B", "C"]
    assert order(SortKey.PUBLISHED) == ["B", "A", "C"]
    assert order(SortKey.TITLE) == ["A", "B", "C"]


def test_two_connections_write_at_the_same_time(db_path: Path, store: Store) -> None:
    store.ingest([paper(f"P{i}") for i in range(20)], SRC_A, "hf")
    errors: list[BaseException] = []

    def worker(status: Status) -> None:
        try:
            with Store.open(db_path) as other:
                for i in range(1, 21):
                    other.set_status([i], status)
                    other.set_starred([i], True)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(s,)) for s in (Status.READ, Status.TO_READ)]
    for t in threads:
        t.start()
    store.ingest([paper(f"Q{i}") for i in range(200)], SRC_B, "hf")
    for t in threads:
        t.join()
    assert errors == []
    assert store.count() == 220
    assert all(p.starred for p in store.list_papers(ids=list(range(1, 21))))


def test_reader_connection_is_read_only(store: Store) -> None:
    reader = store.open_reader()
    with pytest.raises(Exception):  # noqa: B017
        reader.set_status([1], Status.READ)
    with pytest.raises(sqlite3.OperationalError):
        reader.conn.execute("DELETE FROM papers")
    reader.close()


def test_wal_and_busy_timeout(store: Store) -> None:
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_a_new_library_has_8k_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    """New libraries are created with 8 KB pages (cheaper inserts of ~2 KB rows); a library
    created with SQLite's default 4 KB pages keeps them (WAL cannot change a page size)."""
    new = tmp_path / "new.db"
    with Store.open(new) as store:
        assert store.conn.execute("PRAGMA page_size").fetchone()[0] == 8192
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)
    conn.execute("PRAGMA page_size = 4096")
    conn.execute("CREATE TABLE placeholder (x)")
    conn.execute("DROP TABLE placeholder")
    conn.close()
    with Store.open(old) as store:
        assert store.conn.execute("PRAGMA page_size").fetchone()[0] == 4096
        store.ingest(
            [ScrapedPaper("Kept pages", "An abstract long enough to be a key. " * 3)],
            Source("s", "/s", "2026-01-01"),
            "hf",
        )
        assert store.conn.execute("PRAGMA page_size").fetchone()[0] == 4096


@given(
    names=st.lists(st.text(min_size=1, max_size=12), max_size=4).map(tuple),
    categories=st.lists(st.sampled_from(["cs.LG", "cs.AI", "stat.ML"]), max_size=3).map(tuple),
    arxiv=st.none() | st.sampled_from(["2612.04011", "hep-th/9901001"]),
    version=st.none() | st.integers(1, 30),
    doi=st.none() | st.just("10.5555/fict.1"),
    partial=st.booleans(),
    text=st.none() | st.text(max_size=30),
)
def test_paper_of_row_inverts_scraped_values_with_identity(
    names: tuple[str, ...],
    categories: tuple[str, ...],
    arxiv: str | None,
    version: int | None,
    doi: str | None,
    partial: bool,
    text: str | None,
) -> None:
    """Identity fields survive the row the parser process sends (for an identified paper:
    a version-less id, a canonical DOI, a count no smaller than the names)."""
    paper = ScrapedPaper(
        title="T",
        authors=len(names) or None,
        arxiv_id=arxiv,
        arxiv_version=version,
        author_names=names,
        categories=categories,
        comments=text,
        journal_ref=text,
        doi=doi,
        abstract_partial=partial,
        summary=text,
    )
    assert identified(paper) == paper
    assert paper_of_row(scraped_values(paper, "tkey", "akey")) == paper


@given(
    title=st.text(min_size=1, max_size=40),
    abstract=st.text(max_size=80),
    derived=st.booleans(),
    published=st.none() | st.just("2025-03-04"),
    upvotes=st.none() | st.integers(0, 10_000),
    urls=st.lists(st.text(min_size=1, max_size=20), max_size=3).map(tuple),
)
def test_paper_of_row_inverts_scraped_values(
    title: str,
    abstract: str,
    derived: bool,
    published: str | None,
    upvotes: int | None,
    urls: tuple[str, ...],
) -> None:
    """The parser process sends rows; a merge rebuilds the paper from its row exactly."""
    paper = ScrapedPaper(
        title=title,
        abstract=abstract,
        title_derived=derived,
        published=published,
        published_text="Mar 4" if published else None,
        upvotes=upvotes,
        authors=3,
        org="Fictional Lab",
        urls=urls,
        arxiv_id=None,
    )
    assert paper_of_row(scraped_values(paper, "tkey", "akey")) == paper


def test_a_big_ingest_caches_more_while_it_runs_and_gives_it_back(store: Store) -> None:
    """At a million papers the random index inserts outgrow a 64 MiB cache: an ingest that
    expects many papers raises its connection's cache for the transaction only."""
    seen: list[int] = []

    def rows() -> Iterator[tuple[object, ...]]:
        paper = ScrapedPaper("Cache sized paper", "An abstract long enough to be a key. " * 3)
        seen.append(store.conn.execute("PRAGMA cache_size").fetchone()[0])
        yield scraped_values(paper, normalise_key(paper.title), abstract_key(paper.abstract))

    source = Source("s", "/s", "2026-01-01")
    store.ingest_rows(rows(), source, "hf", expected=2_000_000)
    assert seen == [-INGEST_CACHE_KIB_MAX]
    assert store.conn.execute("PRAGMA cache_size").fetchone()[0] == -CACHE_KIB
    store.ingest_rows(rows(), source, "hf", expected=1000)  # small: the usual cache
    assert seen[-1] == -CACHE_KIB

    def broken() -> Iterator[tuple[object, ...]]:
        yield from rows()
        raise OSError("the listing went away")

    with pytest.raises(OSError):
        store.ingest_rows(broken(), source, "hf", expected=2_000_000)
    assert store.conn.execute("PRAGMA cache_size").fetchone()[0] == -CACHE_KIB


@pytest.mark.parametrize("batched", [True, False])
def test_titles_without_a_key_are_told_apart_by_their_abstracts(
    store: Store, batched: bool
) -> None:
    """Issue 12 item 3: "🚀" and "🔥" have the same (empty) title key; in one file and across
    files the abstract decides, and with no usable abstract either, nothing is merged."""
    symbols = [
        paper(t, abstract=f"We study problem number {i} in a fictional setting. " * 3)
        for i, t in enumerate("🚀🔥∇")
    ]
    bare = [paper("..", abstract="Short."), paper("...", abstract="Short.")]
    if batched:
        result = store.ingest([*symbols, *bare], SRC_A, "hf")
    else:
        for item in [*symbols, *bare]:
            store.ingest([item], SRC_A, "hf")
        result = store.ingest([symbols[0]], SRC_B, "hf")
        assert (result.new, result.merged) == (0, 1)
        result = store.ingest([paper("🌙", abstract=symbols[1].abstract)], SRC_B, "hf")
        assert (result.new, result.merged) == (0, 1)
    assert [p.title for p in store.list_papers(sort=SortKey.TITLE)] == sorted(
        ["🚀", "🔥", "∇", "..", "..."], key=str.lower
    )


def test_an_inferred_date_gives_way_to_a_listings_new_date_and_an_explicit_one_never(
    store: Store,
) -> None:
    """Issue 12 item 20: dates from year-less text ("Oct 16") are replaced by the latest
    listing's different date; explicit years are never overwritten; imports only fill."""
    guessed = paper("Guessed", published="2019-10-16", published_text="Oct 16")
    explicit = paper("Explicit", published="2023-09-20", published_text="Sep 20, 2023")
    store.ingest([guessed, explicit], SRC_A, "hf")
    again = [
        paper("Guessed", published="2024-10-16", published_text="Oct 16"),
        paper("Explicit", published="2024-09-20", published_text="Sep 20"),
    ]
    result = store.ingest(again, SRC_B, "hf")
    assert (result.merged, result.updated) == (2, 1)
    dates = {p.title: (p.published, p.published_text) for p in store.list_papers()}
    assert dates == {
        "Guessed": ("2024-10-16", "Oct 16"),
        "Explicit": ("2023-09-20", "Sep 20, 2023"),
    }
    # An explicit year replaces a guess, and is then kept.
    store.ingest(
        [paper("Guessed", published="2022-10-16", published_text="Oct 16, 2022")], SRC_A, "hf"
    )
    store.ingest([paper("Guessed", published="2025-10-16", published_text="Oct 16")], SRC_B, "hf")
    assert store.list_papers(sort=SortKey.TITLE)[1].published == "2022-10-16"
    # An import (Store._merge without from_listing) fills a missing date only.
    pid = store.list_papers(sort=SortKey.TITLE)[0].id
    with store.write() as conn:
        changed = Store._merge(conn, pid, again[1], "explicit", "", "2026-01-01")
    assert not changed


@pytest.mark.parametrize(
    ("text", "inferred"),
    [
        ("Oct 16", True),
        ("Sept 4", True),
        ("Sep 20, 2024", False),
        ("Mar 2024", False),
        ("2024-03-05T10:00:00Z", False),
        (None, False),
        ("2024", False),
    ],
)
def test_year_less(text: str | None, inferred: bool) -> None:
    assert year_less(text) is inferred


def test_a_paper_without_identity_is_stored_with_the_column_defaults(store: Store) -> None:
    """The batch omits a plain paper's identity columns: their defaults must be its values."""
    from readq import store as store_module

    plain = ScrapedPaper("Plain", "An abstract long enough to be a key. " * 3)
    values = scraped_values(plain, "plain", "k")
    assert values[store_module._IDENTITY_START :] == store_module._NO_IDENTITY
    store.ingest([plain], Source("s", "/s", "2026-01-01"), "hf")
    paper = store.get(1)
    assert (paper.author_names, paper.categories, paper.arxiv_version, paper.doi) == (
        (),
        (),
        None,
        None,
    )
    assert (paper.comments, paper.journal_ref, paper.summary, paper.abstract_partial) == (
        None,
        None,
        None,
        False,
    )
