"""The core never imports Textual: enforced in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys


def test_core_modules_do_not_import_textual() -> None:
    code = (
        "import sys\n"
        "import readq.store, readq.ingest, readq.cli, readq.models, readq.backup\n"
        "import readq.library, readq.library.settings, readq.library.urls\n"
        "import importlib.util\n"
        "for name in ('readq.search', 'readq.export', 'readq.importers', 'readq.arxiv_api',\n"
        "             'readq.sync'):\n"
        "    if importlib.util.find_spec(name) is not None:\n"
        "        __import__(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert 'click' not in sys.modules or 'readq.cli' in sys.modules\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_core_module_is_under_the_import_contract() -> None:
    """A new module of the core must be named in the import-linter contract, or it escapes it."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    contract = config["tool"]["importlinter"]["contracts"][0]
    covered = set(contract["source_modules"])
    front_ends = {"readq.tui", "readq.cli", "readq.__main__", "readq.__init__"}
    application = {"readq.library"}  # its own contract: below the front ends, above the core
    modules = {
        f"readq.{path.stem if path.is_file() else path.name}"
        for path in (root / "readq").iterdir()
        if (path.suffix == ".py" or (path / "__init__.py").exists())
    }
    assert modules - front_ends - application - covered == set()


def test_the_application_layer_loads_no_front_end() -> None:
    """``readq.library`` (and the core under it) runs without Textual, Rich or click."""
    code = (
        "import sys\n"
        "import readq.library, readq.library.settings, readq.library.urls\n"
        "import readq.library.drafts, readq.library.searcher\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'click'))\n"
        "bad += sorted(m for m in sys.modules if m.startswith(('readq.tui', 'readq.cli')))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_no_import_cycles() -> None:
    """No two modules of readq import each other, directly or through others, lazily or not
    (a lazy import is for start-up cost only, never to hide a cycle)."""
    import grimp

    graph = grimp.build_graph("readq")
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            # A package importing its own submodule is not a cycle unless the submodule
            # imports the package back (that edge is checked from the submodule's side).
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                cycles.append((module, imported, back))
    assert cycles == []


def test_a_selection_and_the_sql_path_load_no_search_engine() -> None:
    """What the first screen needs (a ``Selection``, its SQL answer, the searcher that waits
    for the index) loads neither the engine nor rapidfuzz: they cost start-up time and come
    later, in a worker."""
    code = (
        "import sys\n"
        "import readq.search, readq.search.selection, readq.search.sql\n"
        "import readq.library.searcher\n"
        "from readq.search import Selection, View\n"
        "bad = sorted(m for m in sys.modules if m in ('readq.search.engine', 'rapidfuzz'))\n"
        "assert not bad, bad\n"
        "from readq.search import SearchEngine\n"
        "assert 'readq.search.engine' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _tui_contract() -> dict[str, object]:
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    found = [
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c["type"] == "forbidden" and c["source_modules"] == ["readq.tui"]
    ]
    assert len(found) == 1, "one forbidden contract keeps the TUI off the core that does work"
    contract: dict[str, object] = found[0]
    return contract


def test_the_tui_imports_no_core_module_that_does_work() -> None:
    """The TUI reaches the library file only through ``readq.library``: no module of it
    imports, even lazily or for typing only, a module the contract forbids (the same check
    as ``lint-imports``, so that pytest alone catches it too)."""
    import grimp

    forbidden = _tui_contract()["forbidden_modules"]
    assert isinstance(forbidden, list)
    graph = grimp.build_graph("readq")
    tui = graph.find_descendants("readq.tui") | {"readq.tui"}
    bad = sorted(
        (module, imported)
        for module in tui
        for imported in graph.find_modules_directly_imported_by(module)
        if any(imported == f or imported.startswith(f + ".") for f in forbidden)
    )
    assert bad == []


def test_every_core_module_that_works_on_the_library_is_forbidden_to_the_tui() -> None:
    """A core module that imports ``readq.store`` works on the library (opens, reads or
    writes it): it must be in the TUI's forbidden list, or a new one escapes the contract.
    Its value types go to a module of their own (``store_values``, ``note_values``, ...)."""
    import grimp

    forbidden = _tui_contract()["forbidden_modules"]
    assert isinstance(forbidden, list)
    graph = grimp.build_graph("readq")
    above = ("readq.tui", "readq.cli", "readq.library")
    working = graph.find_modules_that_directly_import("readq.store") | {"readq.store"}
    escaped = sorted(
        module
        for module in working
        if not module.startswith(above)
        and not any(module == f or module.startswith(f + ".") for f in forbidden)
    )
    assert escaped == []
