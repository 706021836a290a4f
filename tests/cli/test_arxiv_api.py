"""``readq add``: papers fetched from the arXiv API, tried against a local HTTP server.

The server (``http.server`` in a thread on 127.0.0.1) answers with recorded responses written
for these tests (fictional papers in the API's Atom format); the network is never used.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.fakeapi import API_FIXTURES, FakeApi

from readq.arxiv_api import ArxivApiError, add_papers, fetch_papers, parse_refs
from readq.cli import cli
from readq.models import ScrapedPaper, Source, Status
from readq.store import Store


def _papers(db: Path) -> list[dict[str, object]]:
    with Store.open(db) as store:
        return [p.to_json() for p in store.list_papers()]


def _run(db: Path, *args: str) -> tuple[int, str, str]:
    if not db.exists():  # an existing library: these tests are about `add`, not its creation
        db.parent.mkdir(parents=True, exist_ok=True)
        Store.open(db).close()
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


def test_add_fetches_several_ids_in_one_request(api: FakeApi, db_path: Path) -> None:
    code, out, err = _run(db_path, "add", "arXiv:2612.04011", "https://arxiv.org/abs/2612.05522v1")
    assert (code, err) == (0, "")
    assert "2 papers: 2 new" in out
    assert len(api.requests) == 1
    assert api.requests[0]["id_list"] == "2612.04011,2612.05522v1"
    assert api.requests[0]["max_results"] == "2"
    papers = {p["arxiv_id"]: p for p in _papers(db_path)}
    lantern = papers["2612.04011"]
    assert lantern["title"] == "Lantern Attention: Lighting Long Contexts with Sparse Wicks"
    assert lantern["author_names"] == ["Ada Quill", "Bram Osei", "Chen Varga"]
    assert lantern["authors"] == 3
    assert lantern["categories"] == ["cs.LG", "cs.CL"]
    assert lantern["arxiv_version"] == 2
    assert lantern["doi"] == "10.5555/fict.lantern.2026"
    assert lantern["comments"] == "14 pages, 6 figures; v2 adds the Corridor-1M results"
    assert lantern["journal_ref"] == "Proc. Imaginary Conf. on Learning 3 (2026) 1-14"
    assert lantern["published"] == "2026-12-02"
    assert str(lantern["abstract"]).startswith("We introduce Lantern Attention")
    assert lantern["abstract_partial"] is False
    assert papers["2612.05522"]["author_names"] == ["Dara Ellwood", "Ines Mbeki"]
    assert papers["2612.05522"]["arxiv_version"] == 1


def test_ids_already_in_the_library_are_reported_not_fetched(api: FakeApi, db_path: Path) -> None:
    assert _run(db_path, "add", "2612.04011")[0] == 0
    code, out, err = _run(db_path, "add", "2612.04011v2", "2612.05522")
    assert (code, err) == (0, "")
    assert "2612.04011: already in the library (#1); --refetch to update it" in out
    assert "1 papers: 1 new" in out
    assert [r["id_list"] for r in api.requests] == ["2612.04011", "2612.05522"]
    code, out, _err = _run(db_path, "add", "2612.04011")
    assert code == 0 and len(api.requests) == 2 and "already in the library" in out
    assert len(_papers(db_path)) == 2


def test_refetch_merges_into_the_paper_and_keeps_user_state(api: FakeApi, db_path: Path) -> None:
    """A paper first seen in a Hugging Face listing (no id, a count of authors) and marked by
    the user gains its id, names and categories when it is added; its state stays."""
    db_path.parent.mkdir(parents=True)
    with Store.open(db_path) as store:
        result = store.ingest(
            [
                ScrapedPaper(
                    "Lantern Attention: Lighting Long Contexts with Sparse Wicks", authors=3
                )
            ],
            Source("hf", "/hf.txt", "2026-12-01"),
            "hf",
        )
        (pid,) = result.new_ids
        store.set_status([pid], Status.READ)
        store.set_starred([pid], True)
        store.save_note(pid, "my note")
    code, out, err = _run(db_path, "add", "2612.04011")
    assert (code, err) == (0, "")
    assert "1 papers: 0 new, 1 already known (1 updated)" in out
    (paper,) = _papers(db_path)
    assert paper["id"] == pid and paper["arxiv_id"] == "2612.04011"
    assert paper["author_names"] == ["Ada Quill", "Bram Osei", "Chen Varga"]
    assert (paper["status"], paper["starred"], paper["note"]) == ("read", True, "my note")
    code, out, _err = _run(db_path, "add", "--refetch", "2612.04011")
    assert code == 0 and "0 new, 1 already known (0 updated)" in out
    assert len(api.requests) == 2


def test_an_unknown_id_adds_nothing(api: FakeApi, db_path: Path) -> None:
    """arXiv answers an id it does not know with an empty feed: one line, exit 1, and the
    other id of the same command is not stored either."""

    code, out, err = _run(db_path, "add", "2612.04011", "2612.99999")
    assert code == 1 and out == ""
    assert err == "readq: arXiv has no paper with id 2612.99999; nothing was added\n"
    assert _papers(db_path) == []


def test_an_empty_answer_names_the_id(api: FakeApi, db_path: Path) -> None:
    api.answer = lambda q: (200, (API_FIXTURES / "empty.xml").read_bytes(), 0.0)
    code, _out, err = _run(db_path, "add", "https://arxiv.org/abs/2612.99999v4")
    assert code == 1
    assert err == "readq: arXiv has no paper with id 2612.99999; nothing was added\n"


def test_an_api_error_answer_is_one_line(api: FakeApi, db_path: Path) -> None:
    api.answer = lambda q: (200, (API_FIXTURES / "error.xml").read_bytes(), 0.0)
    code, out, err = _run(db_path, "add", "1299.00001")
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert "arXiv API error response: incorrect id format for 1299.00001" in err
    assert _papers(db_path) == []


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, (API_FIXTURES / "truncated.xml").read_bytes(), "malformed XML"),
        (200, b"<html><body>Rate limited</body></html>", "is XML but not an Atom feed"),
        (503, b"busy", "answered HTTP 503"),
    ],
)
def test_a_bad_answer_is_one_line_and_adds_nothing(
    api: FakeApi, db_path: Path, status: int, body: bytes, expected: str
) -> None:
    api.answer = lambda q: (status, body, 0.0)
    code, out, err = _run(db_path, "add", "2612.04011")
    assert code == 1 and out == ""
    assert err.startswith("readq: ") and err.count("\n") == 1
    assert expected in err
    assert "Traceback" not in err
    assert _papers(db_path) == []


def test_a_server_that_is_down_is_one_line(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("READQ_ARXIV_API", f"http://127.0.0.1:{port}/api/query")
    code, out, err = _run(db_path, "add", "2612.04011")
    assert code == 1 and out == ""
    assert err.startswith(f"readq: cannot reach the arXiv API (127.0.0.1:{port}): ")
    assert err.endswith("(offline?); nothing was added\n")
    assert _papers(db_path) == []


def test_a_server_that_does_not_answer_times_out(api: FakeApi, db_path: Path) -> None:
    api.answer = lambda q: (200, (API_FIXTURES / "two_papers.xml").read_bytes(), 3.0)
    started = time.monotonic()
    code, out, err = _run(db_path, "add", "--timeout", "0.5", "2612.04011")
    assert time.monotonic() - started < 2.5
    assert code == 1 and out == ""
    assert "did not answer within 0.5 s; nothing was added" in err
    assert _papers(db_path) == []


def test_a_text_that_is_no_id_is_a_usage_error(api: FakeApi, db_path: Path) -> None:
    code, out, err = _run(db_path, "add", "2612.04011", "not-an-id")
    assert code == 2 and out == ""
    assert err == "readq: not an arXiv id or link: 'not-an-id'\n"
    assert api.requests == []


def test_parse_refs_reads_every_spelling_once() -> None:
    refs = parse_refs(
        [
            "2612.04011",
            "https://arxiv.org/pdf/2612.04011v3",
            "huggingface.co/papers/2612.05522",
            "https://doi.org/10.48550/arXiv.2612.06000",
            "hep-th/9901001",
        ]
    )
    assert [str(r) for r in refs] == ["2612.04011v3", "2612.05522", "2612.06000", "hep-th/9901001"]


def test_fetching_many_ids_waits_between_requests(api: FakeApi) -> None:
    """arXiv asks for 3 s between requests: 150 ids are two requests with one pause."""
    refs = parse_refs([f"2612.{n:05d}" for n in range(150)])
    waits: list[float] = []
    with pytest.raises(ArxivApiError, match=r"no paper with ids 2612\.00000"):
        fetch_papers(refs, sleep=waits.append)
    assert [len(r["id_list"].split(",")) for r in api.requests] == [100, 50]
    assert waits == [3.0]


def test_add_papers_is_callable_without_the_cli(api: FakeApi, store: Store) -> None:
    """The TUI calls the core function: it returns a report and stores in one transaction."""
    report = add_papers(store, ["2612.05522"])
    assert report.fetched == ("2612.05522",) and report.known == {}
    assert report.result is not None and report.result.new == 1
    again = add_papers(store, ["arXiv:2612.05522v1"])
    assert again.result is None and again.known == {"2612.05522": 1}
    assert json.loads(json.dumps(store.get(1).to_json()))["categories"] == ["cs.AI"]


def test_a_paper_with_a_stored_title_but_another_id_is_added_and_reported(
    api: FakeApi, db_path: Path
) -> None:
    db_path.parent.mkdir(parents=True)
    with Store.open(db_path) as store:
        store.ingest(
            [
                ScrapedPaper(
                    "Lantern Attention: Lighting Long Contexts with Sparse Wicks",
                    arxiv_id="2612.07777",
                )
            ],
            Source("s", "/s.txt", "2026-12-01"),
            "hf",
        )
    code, out, err = _run(db_path, "add", "2612.04011")
    assert code == 0
    assert out == "arXiv API: 1 papers: 1 new\n"
    assert err == (
        "readq: possible duplicate: #2 has the title of #1 but another arXiv id (kept apart)\n"
    )
    assert sorted(str(p["arxiv_id"]) for p in _papers(db_path)) == ["2612.04011", "2612.07777"]
