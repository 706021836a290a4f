"""The application side of discover (related papers, the recommended order, "not interested"):
which engine the model runs on, and the outcomes the CLI and the TUI render.

Why here: the model (:mod:`readq.discover`) needs a loaded search index; the TUI already has
one (its searcher's), a CLI command has none until it asks. :class:`DiscoverService` keeps one
model per engine and loads the saved index only when the feature first runs, so nothing of it
is on the start-up path.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from readq.models import Paper, SortKey, Status

if TYPE_CHECKING:
    from readq.discover import Discover, Suggestion
    from readq.search.engine import SearchEngine
    from readq.store import Store


@dataclass(frozen=True, slots=True)
class Suggested:
    """A paper with its score and ``because`` (what weighs most for it)."""

    paper: Paper
    score: float
    because: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        """The paper's JSON (``list --json``) with ``score`` and ``because`` added."""
        data = self.paper.to_json()
        data["score"] = self.score
        data["because"] = list(self.because)
        return data


@dataclass(frozen=True, slots=True)
class RelatedOutcome:
    """The papers most like ``paper``, best first."""

    paper: Paper
    related: tuple[Suggested, ...]


@dataclass(frozen=True, slots=True)
class RecommendedOutcome:
    """Papers in the recommended order; ``message`` says why it is date order when the user
    has not starred enough papers yet (empty once ranked)."""

    ready: bool
    message: str
    papers: tuple[Suggested, ...]
    seconds: float


class DiscoverService:
    """One discover model per search engine, the engine loaded on first use when not given."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._own_engine: SearchEngine | None = None
        self._models: dict[int, Discover] = {}

    def model(self, engine: SearchEngine | None = None) -> Discover:
        """The model over ``engine`` (else over the saved index, loaded or built now)."""
        from readq.discover import Discover

        with self._lock:
            if engine is None:
                engine = self._own_engine
                if engine is None:
                    engine = self._own_engine = _load_engine(self.store)
                else:
                    engine.refresh()
            model = self._models.get(id(engine))
            if model is None or model.engine is not engine:
                model = Discover(engine, engine.reader)
                self._models = {id(engine): model}
            return model

    def close(self) -> None:
        """Release the engine this service loaded itself."""
        with self._lock:
            if self._own_engine is not None:
                self._own_engine.close()
                self._own_engine = None
            self._models.clear()

    def related(
        self, paper_id: int, limit: int = 10, engine: SearchEngine | None = None
    ) -> RelatedOutcome:
        """The papers most like ``paper_id`` (``UnknownPaperError`` if there is none)."""
        model = self.model(engine)
        paper = model.store.get(paper_id)  # the engine's reader: this may run in a worker
        found = model.related(paper_id, limit)
        return RelatedOutcome(paper, self._papers(model.store, found))

    def recommended(
        self,
        *,
        status: Status | None = None,
        starred: bool | None = None,
        query: str | None = None,
        limit: int | None = None,
        engine: SearchEngine | None = None,
    ) -> RecommendedOutcome:
        """The papers of the view/query in the recommended order, each with ``because``."""
        from readq.search.selection import Selection

        model = self.model(engine)
        ranking = model.ranking()
        selection = Selection(query=query or "", sort=SortKey.RECOMMENDED)
        parsed = selection.with_state(status=status, starred=starred).parsed()
        result = model.engine.search(parsed, sort=SortKey.RECOMMENDED)
        ids = list(result) if limit is None else result[:limit]
        scored = model.recommended(ids)
        return RecommendedOutcome(
            ranking.ready, ranking.message, self._papers(model.store, scored), ranking.seconds
        )

    @staticmethod
    def _papers(reader: Store, found: Sequence[Suggestion]) -> tuple[Suggested, ...]:
        papers = {p.id: p for p in reader.get_many([s.paper_id for s in found])}
        return tuple(
            Suggested(papers[s.paper_id], s.score, s.because) for s in found if s.paper_id in papers
        )


def _load_engine(store: Store) -> SearchEngine:
    """The saved search index when usable, else built (and saved for the next command)."""
    from readq.search import cache
    from readq.search.engine import SearchEngine

    engine = cache.load(store, orders=False)
    if engine is None:
        engine = SearchEngine.load(store)
        cache.save(engine)  # best effort
    return engine


__all__ = ["DiscoverService", "RecommendedOutcome", "RelatedOutcome", "Suggested"]
