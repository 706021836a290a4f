"""Only the search engine's own modules touch its private attributes: the cache, upkeep, the
library, discover and the benchmarks use its public verbs and properties, so the engine's
insides can change (as its split into modules did) without breaking them."""

from __future__ import annotations

import ast
from pathlib import Path

from readq.models import ScrapedPaper, Source
from readq.search.engine import SearchEngine
from readq.store import Store

ROOT = Path(__file__).resolve().parents[2]
ENGINE_MODULES = {
    f"readq/search/{name}.py"
    for name in (
        "engine",
        "documents",
        "state",
        "build",
        "sync",
        "matching",
        "evaluate",
        "orders",
        "snapshot",
        "result",
    )
}
"""The engine's own modules: the facade and its parts."""


def private_names(store: Store) -> set[str]:
    """The private attribute and method names of a built engine (not dunders)."""
    engine = SearchEngine.load(store)
    try:
        names = set(vars(engine)) | set(dir(SearchEngine))
    finally:
        engine.close()
    return {n for n in names if n.startswith("_") and not n.endswith("__")}


def private_reads(source: str, names: set[str]) -> list[tuple[int, str]]:
    """``(line, expression)`` of every ``x._name`` with ``_name`` in ``names`` and ``x``
    other than ``self`` or ``cls``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in names:
            receiver = node.value
            if isinstance(receiver, ast.Name) and receiver.id in ("self", "cls"):
                continue
            found.append((node.lineno, ast.unparse(node)))
    return sorted(found)


def test_no_module_outside_the_engine_reads_its_private_attributes(store: Store) -> None:
    store.ingest([ScrapedPaper("Gondola Networks", "Boats.")], Source("t", "t.txt", "2025"), "t")
    names = private_names(store)
    assert {"_lock", "_reader"} <= names  # the check knows what to look for
    offenders = []
    for folder in ("readq", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in ENGINE_MODULES:
                continue
            for line, expression in private_reads(path.read_text(encoding="utf-8"), names):
                offenders.append(f"{relative}:{line}: {expression}")
    assert offenders == []


def test_the_check_catches_a_private_read() -> None:
    """The walk finds reads through any expression, and leaves a class's own ``self`` alone."""
    names = {"_orders", "_state"}
    source = (
        "engine._orders.pop(1)\n"
        "self.engine._state.ids\n"
        "searcher.engine._state\n"
        "self._state = 1\n"
        "engine.orders\n"
    )
    assert private_reads(source, names) == [
        (1, "engine._orders"),
        (2, "self.engine._state"),
        (3, "searcher.engine._state"),
    ]
