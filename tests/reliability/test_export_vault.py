"""Issue 12 item 2: an Obsidian export into a vault the user lives in.

readq never overwrites a file it did not write, keeps the user's edits to its own files,
follows renamed papers (one file per ``readq_id``), and a full disk mid-export leaves the
vault exactly as it was.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.exportlib import build_library

from readq.cli import cli
from readq.export import export_papers
from readq.export import markdown as vault_module
from readq.models import Status
from readq.store import Store


def _tree(vault: Path) -> dict[str, bytes]:
    """Every entry of the vault (hidden ones too) with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(vault.iterdir())}


def _files_of(vault: Path, paper_id: int) -> list[str]:
    return sorted(
        p.name for p in vault.glob("*.md") if f"\nreadq_id: {paper_id}\n" in p.read_text()
    )


def test_a_file_readq_did_not_write_is_never_overwritten(store: Store, tmp_path: Path) -> None:
    build_library(store)
    vault = tmp_path / "vault"
    vault.mkdir()
    mine = vault / "Quantum Kettles.md"
    mine.write_text("# My Existing Note\n\nmy own thoughts, no readq_id here\n")
    (vault / "quantum teapots for biscuit ranking.md").write_text("case-only clash\n")
    result = export_papers(store, None, "obsidian", vault)
    assert result.papers == 4 and result.kept == ()
    assert mine.read_text() == "# My Existing Note\n\nmy own thoughts, no readq_id here\n"
    assert (vault / "quantum teapots for biscuit ranking.md").read_text() == "case-only clash\n"
    assert _files_of(vault, 4) == ["Quantum Kettles (4).md"]
    assert _files_of(vault, 1) == ["Quantum Teapots for Biscuit Ranking (1).md"]
    again = export_papers(store, None, "obsidian", vault)  # stable: the same names again
    assert again.papers == 4
    assert _files_of(vault, 4) == ["Quantum Kettles (4).md"]
    assert mine.read_text().startswith("# My Existing Note")


def test_the_users_edits_to_readqs_files_are_kept(store: Store, tmp_path: Path) -> None:
    build_library(store)
    vault = tmp_path / "vault"
    export_papers(store, None, "obsidian", vault)
    teapot = vault / "Quantum Teapots for Biscuit Ranking.md"
    text = teapot.read_text()
    head, body = text.split("---\n")[1:3]
    edited = (
        "---\n"
        + head
        + "aliases:\n  - teapot paper\ncssclass: wide\n"
        + "---\n\n## My summary\nwritten in Obsidian\n\n"
        + body.lstrip("\n")
        + "\n## Links\n[[Quantum Kettles]]\n"
    )
    teapot.write_text(edited)
    store.set_status([1], Status.TO_READ)
    store.save_note(1, "A new note from readq.", base_revision=store.note_state(1)[1])
    result = export_papers(store, None, "obsidian", vault)
    assert result.kept == () and result.papers == 4
    now = teapot.read_text()
    assert 'status: "to-read"' in now and 'status: "read"' not in now
    assert "aliases:\n  - teapot paper\ncssclass: wide\n" in now
    assert "## My summary\nwritten in Obsidian\n" in now
    assert now.endswith("## Links\n[[Quantum Kettles]]\n")
    assert "A new note from readq." in now and "Edited elsewhere." not in now
    assert now.index("## My summary") < now.index("A new note") < now.index("## Links")


def test_an_edit_inside_readqs_section_is_kept_and_named(store: Store, tmp_path: Path) -> None:
    build_library(store)
    vault = tmp_path / "vault"
    export_papers(store, None, "obsidian", vault)
    teapot = vault / "Quantum Teapots for Biscuit Ranking.md"
    edited = teapot.read_text().replace("Edited elsewhere.", "Edited elsewhere. And by me!")
    teapot.write_text(edited)
    store.set_status([1, 4], Status.TO_READ)
    result = export_papers(store, None, "obsidian", vault)
    assert result.kept == ("Quantum Teapots for Biscuit Ranking.md",)
    assert result.papers == 3
    assert teapot.read_text() == edited
    assert 'status: "to-read"' in (vault / "Quantum Kettles.md").read_text()
    runner = CliRunner()
    cli_result = runner.invoke(
        cli, ["--db", str(store.path), "export", "-f", "obsidian", "-o", str(vault)]
    )
    assert cli_result.exit_code == 0, cli_result.output
    assert "Quantum Teapots for Biscuit Ranking.md" in cli_result.stderr
    assert "not updated" in cli_result.stderr
    assert teapot.read_text() == edited


def test_a_renamed_paper_leaves_one_file(store: Store, tmp_path: Path) -> None:
    build_library(store)
    vault = tmp_path / "vault"
    export_papers(store, None, "obsidian", vault)
    old = vault / "Quantum Kettles.md"
    old.write_text(old.read_text() + "\nmy text below\n")
    store.rename(4, "Classical Kettles")
    result = export_papers(store, None, "obsidian", vault)
    assert result.removed == ("Quantum Kettles.md",)
    assert not old.exists()
    assert _files_of(vault, 4) == ["Classical Kettles.md"]
    assert (vault / "Classical Kettles.md").read_text().endswith("\nmy text below\n")
    assert len(list(vault.glob("*.md"))) == 4


def test_files_of_an_older_readq_are_taken_over_or_kept(store: Store, tmp_path: Path) -> None:
    """Files written before readq marked its section: one whose body is still what readq
    wrote is rewritten in the new form; one whose body differs is kept and named."""
    build_library(store)
    vault = tmp_path / "vault"
    vault.mkdir()
    legacy = '---\ntitle: "Quantum Kettles"\nreadq_id: 4\n---\n\n> {abstract}\n'
    (vault / "Quantum Kettles.md").write_text(legacy.format(abstract="Kettles, in a quantum way."))
    changed = legacy.replace("4", "3").format(abstract="I rewrote this abstract myself.")
    (vault / "Crumbs a derived title.md").write_text(changed)
    result = export_papers(store, None, "obsidian", vault)
    assert result.kept == ("Crumbs a derived title.md",)
    assert (vault / "Crumbs a derived title.md").read_text() == changed
    kettles = (vault / "Quantum Kettles.md").read_text()
    assert vault_module.SECTION_BEGIN in kettles and "> Kettles, in a quantum way." in kettles


def test_an_unchanged_file_is_not_rewritten(store: Store, tmp_path: Path) -> None:
    build_library(store)
    vault = tmp_path / "vault"
    export_papers(store, None, "obsidian", vault)
    before = {p.name: p.stat().st_ino for p in vault.iterdir()}
    export_papers(store, None, "obsidian", vault)
    assert {p.name: p.stat().st_ino for p in vault.iterdir()} == before


@pytest.mark.parametrize("fail_at", [1, 3])
def test_a_full_disk_mid_export_leaves_the_vault_as_it_was(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    """ENOSPC on the ``fail_at``-th file written: the export fails, every file of the vault
    has its old bytes, no new or temporary file is left (before: a half-written vault)."""
    build_library(store)
    vault = tmp_path / "vault"
    export_papers(store, None, "obsidian", vault)
    (vault / "mine.md").write_text("the user's own file\n")
    store.set_status([1, 2, 3, 4], Status.READ)
    store.rename(4, "Classical Kettles")
    before = _tree(vault)
    real = vault_module._write_temp
    calls: list[int] = []

    def filling_up(directory: Path, text: str) -> Path:
        calls.append(1)
        if len(calls) == fail_at:
            # a real partial write first, as a full disk leaves it, then the error
            fd = os.open(directory / ".readq-partial.tmp", os.O_WRONLY | os.O_CREAT, 0o644)
            os.write(fd, text[:10].encode())
            os.close(fd)
            os.unlink(directory / ".readq-partial.tmp")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(directory, text)

    monkeypatch.setattr(vault_module, "_write_temp", filling_up)
    with pytest.raises(OSError) as raised:
        export_papers(store, None, "obsidian", vault)
    assert raised.value.errno == errno.ENOSPC
    assert len(calls) == fail_at
    assert _tree(vault) == before
    monkeypatch.setattr(vault_module, "_write_temp", real)
    result = export_papers(store, None, "obsidian", vault)  # space again: it all goes in
    assert result.papers == 4 and result.removed == ("Quantum Kettles.md",)
    assert all('status: "read"' in p.read_text() for p in vault.glob("*.md") if p.name != "mine.md")


def test_files_the_user_moved_into_folders_are_updated_where_they_are(
    store: Store, tmp_path: Path
) -> None:
    """Obsidian users file notes into folders: readq finds its file by readq_id there,
    updates or renames it in that folder, and writes no second copy at the top."""
    build_library(store)
    vault = tmp_path / "vault"
    export_papers(store, None, "obsidian", vault)
    (vault / "read" / "2024").mkdir(parents=True)
    (vault / "Quantum Kettles.md").rename(vault / "read" / "2024" / "Quantum Kettles.md")
    (vault / ".trash").mkdir()
    (vault / ".trash" / "old.md").write_text("---\nreadq_id: 1\n---\nbinned\n")
    store.set_status([4], Status.READ)
    store.rename(4, "Classical Kettles")
    result = export_papers(store, None, "obsidian", vault)
    assert result.removed == ("read/2024/Quantum Kettles.md",)
    assert _files_of(vault, 4) == []  # none at the top
    moved = vault / "read" / "2024" / "Classical Kettles.md"
    assert 'status: "read"' in moved.read_text()
    assert (vault / ".trash" / "old.md").read_text() == "---\nreadq_id: 1\n---\nbinned\n"
    assert len(list(vault.rglob("*.md"))) == 5  # 4 papers + the binned file


def test_a_copy_of_a_readq_file_holding_the_users_text_is_left_alone(
    store: Store, tmp_path: Path
) -> None:
    """A user copies a readq note to write their own text in it: the copy has the same
    readq_id but is never removed or rewritten (it is named), the original is updated; a
    plain duplicate with nothing of the user's is removed."""
    build_library(store)
    vault = tmp_path / "vault"
    export_papers(store, None, "obsidian", vault)
    original = vault / "Quantum Kettles.md"
    copy = vault / "Quantum Kettles copy.md"
    copy.write_text(original.read_text() + "\nmy own long essay\n")
    plain = vault / "Quantum Kettles (old).md"
    plain.write_text(original.read_text())
    store.set_status([4], Status.READ)
    result = export_papers(store, None, "obsidian", vault)
    assert result.copies == ("Quantum Kettles copy.md",)
    assert result.removed == ("Quantum Kettles (old).md",)
    assert copy.read_text().endswith("\nmy own long essay\n")
    assert 'status: "new"' in copy.read_text()
    assert 'status: "read"' in original.read_text()
    cli_result = CliRunner().invoke(
        cli, ["--db", str(store.path), "export", "-f", "obsidian", "-o", str(vault)]
    )
    assert "Quantum Kettles copy.md: left as it is" in cli_result.stderr
