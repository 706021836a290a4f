"""The ingest's parser child process (``readq.ingest.parallel``) starts under the TUI."""

from __future__ import annotations

from pathlib import Path

from support.subproc import python_in_subprocess


def test_the_parser_child_starts_when_stderr_has_no_descriptor(tmp_path: Path) -> None:
    """Under the TUI ``sys.stderr`` is Textual's capture (``fileno()`` is -1): starting the
    parser child failed with "bad value(s) in fds_to_keep"."""
    listing = tmp_path / "listing.txt"
    listing.write_text(
        "".join(f"Abstract:We study problem {i} with a method of our own.\n" for i in range(50)),
        encoding="utf-8",
    )
    result = python_in_subprocess(
        f"""
        import io, sys
        from readq.ingest.parallel import parse_in_child
        from readq.ingest.reader import open_listing

        class Capture(io.StringIO):
            def fileno(self):
                return -1

        sys.stderr = Capture()
        source = open_listing({str(listing)!r})
        rows = list(parse_in_child(source, listing_year=None))
        sys.__stdout__.write(f"{{len(rows)}} rows\\n")
        """
    )
    assert result.stdout.strip() == "50 rows", result.stdout + result.stderr
