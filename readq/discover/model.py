"""Related papers and the recommended order ("for you"), from readq's own search index.

Why this method (measured in ``benchmarks/discover.py``, figures in ``benchmarks/RESULTS.md``):
the search index already holds every title and abstract word with its postings, so document
frequencies (IDF) and "which papers contain this word" cost nothing to build. A paper is a
TF-IDF vector of its title (counted twice), abstract, authors, categories and tags; the
user's taste is a Rocchio profile, the mean vector of the starred papers minus the read
without a star and the "not interested" ones, plus a little of the to-read ones. Scoring runs
in two stages: the profile's (or the paper's) heaviest features are looked up in the postings
to score every paper (stage 1, bounded by a postings budget), then the best few hundred are
re-scored by cosine against their whole text (stage 2). That second stage is what keeps a word
with two meanings from dragging in the other topic: one shared word is a small part of a whole
vector. No dependency, nothing downloaded, nothing done until the feature is used.

Measured against SQLite FTS5 ``bm25`` (the other option without a dependency) on generated
libraries with ambiguous words: precision@10 of the recommended order at 5 labels 0.72 vs
0.42 (hard setting, 10k), of related 0.69-0.81 vs 0.34-0.52; re-scoring 100k papers after a
mark 97 ms median (figures and the options not taken in ``benchmarks/RESULTS.md``).

Core module: no Textual, Rich or click.
"""

from __future__ import annotations

import json
import math
import threading
import zlib
from array import array
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import and_, not_
from typing import TYPE_CHECKING, Protocol

from readq.search import bitset
from readq.search.tokens import words

if TYPE_CHECKING:
    from readq.search.engine import SearchEngine
    from readq.store import Store

MIN_POSITIVES = 3
"""Starred papers needed before the recommended order replaces date order."""
POSITIVE, NEGATIVE, DISMISSED, WEAK = 1.0, 0.5, 0.75, 0.25
"""Rocchio weights: starred, read without a star, "not interested", to read (unstarred)."""
PROFILE_FEATURES = 60
"""Positive features a profile keeps (and half as many negative ones)."""
PROFILE_TERMS = 150
"""Most features of the profile (or of a paper, for related) looked up in the postings."""
POSTINGS_BUDGET = 1_000_000
"""Most postings stage 1 walks (~80 ns each, so ~80 ms): bounds the time at any size."""
RERANK = 300
"""How many of stage 1's best are re-scored by cosine on their whole text (stage 2)."""
MAX_LABELS = 1000
"""Most recent papers per label kind read for the profile (each one's text is tokenised)."""
COMMON_FRACTION = 4
"""A word in more than 1/COMMON_FRACTION of the papers says nothing about a topic."""
RELATED_TERMS = 30
"""A paper is compared by its heaviest features only (its words shared with every topic are
noise): 30 measured best (benchmarks/discover.py, related precision@10 0.86 -> 0.93)."""
BECAUSE = 3
"""How many features explain a score."""
VECTOR_CACHE = 5000
"""Paper vectors kept between rankings (the labelled papers' and the last candidates')."""

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "across",
        "after",
        "again",
        "against",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "either",
        "et",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "here",
        "how",
        "however",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "may",
        "more",
        "most",
        "much",
        "must",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "paper",
        "per",
        "same",
        "should",
        "show",
        "shows",
        "shown",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "thus",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "use",
        "used",
        "using",
        "very",
        "via",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yet",
        "you",
        "your",
        "al",
        "i.e",
        "e.g",
    ]
)

_FLIP = bytes([1, 0]) + bytes(254)
"""``bytes.translate`` table: a 0/1 flag byte to its opposite."""


class FeatureSource(Protocol):
    """Features of a paper beyond its words: authors and categories built in; the tags table
    plugs in here (``tag:name``). A feature is ``kind:value`` (words never hold a colon)."""

    def of_papers(self, store: Store, ids: Sequence[int]) -> Iterable[tuple[int, str]]:
        """``(paper id, feature)`` for each feature of these papers."""
        ...

    def shared(self, store: Store) -> Iterable[tuple[str, Sequence[int]]]:
        """Every feature that two or more papers have, with their ids (a feature of one
        paper relates it to nothing, and at a million papers most author names are one
        paper's: leaving them to SQL keeps them out of memory)."""
        ...


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def normalise_value(value: str) -> str:
    """A feature value as SQLite's ``lower(trim(value))`` makes it (ASCII case, spaces at
    the ends), so the features read one paper at a time and those grouped in SQL agree."""
    return value.strip(" ").translate(_ASCII_LOWER)


class AuthorsAndCategories:
    """``author:name`` for each known author name, ``category:cs.lg`` for each category."""

    KINDS = (("author", "author_names"), ("category", "categories"))

    def of_papers(self, store: Store, ids: Sequence[int]) -> Iterator[tuple[int, str]]:
        """The features of these papers (read per paper, as JSON lists)."""
        for i in range(0, len(ids), 500):
            chunk = list(ids[i : i + 500])
            marks = ",".join("?" * len(chunk))
            rows = store.conn.execute(
                f"SELECT id, author_names, categories FROM papers WHERE id IN ({marks})", chunk
            )
            for pid, *texts in rows:
                for (kind, _), text in zip(self.KINDS, texts, strict=True):
                    if not text or text == "[]":
                        continue
                    try:
                        values = json.loads(str(text))
                    except ValueError:
                        continue
                    for value in values if isinstance(values, list) else ():
                        name = normalise_value(str(value))
                        if name:
                            yield int(pid), f"{kind}:{name}"

    def shared(self, store: Store) -> Iterator[tuple[str, Sequence[int]]]:
        """Names and categories of two or more papers, grouped by SQLite (json_each)."""
        parts = " UNION ALL ".join(
            f"SELECT p.id AS id, '{kind}:' || lower(trim(j.value)) AS feature "
            f"FROM papers p, json_each(p.{column}) j "
            f"WHERE p.{column} <> '[]' AND json_valid(p.{column}) AND trim(j.value) <> ''"
            for kind, column in self.KINDS
        )
        rows = store.conn.execute(
            f"SELECT feature, group_concat(id) FROM ({parts}) "
            "GROUP BY feature HAVING count(DISTINCT id) > 1"
        )
        for feature, ids in rows:
            yield str(feature), [int(i) for i in dict.fromkeys(str(ids).split(","))]


FEATURE_SOURCES: list[FeatureSource] = [AuthorsAndCategories()]
"""Every source of non-word features (append one to add a signal, e.g. tags)."""


def feature_label(feature: str) -> str:
    """How a feature is shown in ``because``: a word as itself, ``author: name``..."""
    kind, sep, value = feature.partition(":")
    return f"{kind}: {value}" if sep else feature


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One related or recommended paper, its score and what weighs most for it."""

    paper_id: int
    score: float
    because: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Labels:
    """The papers the user has judged, by kind (paper ids, most recent last)."""

    positives: tuple[int, ...]
    negatives: tuple[int, ...]
    dismissed: tuple[int, ...]
    weak: tuple[int, ...]

    @property
    def count(self) -> int:
        """How many labelled papers in all."""
        return len(self.positives) + len(self.negatives) + len(self.dismissed) + len(self.weak)


@dataclass
class Ranking:
    """The recommended order of every indexed document, or date order while not ``ready``."""

    ready: bool
    needed: int
    """Starred papers still needed before the ranking starts (0 when ready)."""
    order: array[int]
    profile: dict[str, float] = field(default_factory=dict)
    scores: dict[int, float] = field(default_factory=dict)
    """Stage-2 scores of the best papers, by paper id."""
    seconds: float = 0.0

    @property
    def message(self) -> str:
        """One line for the user about the state of the ranking."""
        if self.ready:
            return ""
        noun = "paper" if self.needed == 1 else "papers"
        return (
            f"for you: star {self.needed} more {noun} to rank by your stars (date order until then)"
        )


Vector = dict[str, float]


class Discover:
    """Related papers and the recommended ranking over one ``SearchEngine``'s index.

    Thread-safe: one lock serialises the model (it runs in a worker, never on the UI thread).
    Authors, categories and other sources are read from the library the first time they are
    needed and again when papers were added.
    """

    def __init__(
        self,
        engine: SearchEngine,
        store: Store,
        sources: Sequence[FeatureSource] | None = None,
    ) -> None:
        self.engine = engine
        self.store = store
        self.sources = list(FEATURE_SOURCES if sources is None else sources)
        self._lock = threading.RLock()
        self._meta: dict[str, array[int]] | None = None
        self._meta_n = -1
        self._ranking: Ranking | None = None
        self._vector_cache: dict[int, tuple[int, Vector]] = {}
        self._vector_n = -1
        self._fingerprint = -1

    # ------------------------------------------------------------------ features
    def _n(self) -> int:
        return len(self.engine.ids)

    def _meta_postings(self) -> dict[str, array[int]]:
        n = self._n()
        if self._meta is None or self._meta_n != n:
            meta: dict[str, array[int]] = {}
            doc_of = self.engine.doc_of
            for source in self.sources:
                for feature, ids in source.shared(self.store):
                    docs = array("I", (d for d in map(doc_of, ids) if d is not None))
                    if len(docs) > 1:
                        meta[feature] = docs
            self._meta = meta
            self._meta_n = n
        return self._meta

    def _postings(self, feature: str) -> list[Sequence[int] | int]:
        if ":" in feature:
            meta = self._meta_postings().get(feature)
            return [] if meta is None else [meta]
        return [posting for _, posting in self.engine.word_postings(feature)]

    def df(self, feature: str) -> int:
        """In how many papers ``feature`` occurs (a word: in the title or the abstract)."""
        best = 0
        for posting in self._postings(feature):
            size = posting.bit_count() if isinstance(posting, int) else len(posting)
            best = max(best, size)
        return best

    def idf(self, feature: str, n: int) -> float:
        """Inverse document frequency (0 for a feature in no paper or in too many)."""
        df = self.df(feature)
        if df == 0 or (df * COMMON_FRACTION > n and n >= 20):
            return 0.0
        return math.log((n + 1) / (df + 0.5))

    def vectors(self, paper_ids: Sequence[int]) -> dict[int, Vector]:
        """The L2-normalised TF-IDF vector of each paper (title words count twice).

        Kept while the paper's text and features and the number of papers (the IDF) stay the
        same: a mark re-scores with one new labelled vector, not all of them."""
        if not paper_ids:
            return {}
        n = self._n()
        if n != self._vector_n:
            self._vector_cache.clear()
            self._vector_n = n
        texts: dict[int, tuple[str, str]] = {}
        ids = list(paper_ids)
        conn = self.store.conn
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for pid, title, abstract in conn.execute(
                f"SELECT id, title, abstract FROM papers WHERE id IN ({marks})", chunk
            ):
                texts[int(pid)] = (str(title or ""), str(abstract or ""))
        extra: dict[int, list[str]] = defaultdict(list)
        for source in self.sources:
            for pid, feature in source.of_papers(self.store, ids):
                extra[pid].append(feature)
        idf_cache: dict[str, float] = {}
        out: dict[int, Vector] = {}
        for pid, (title, abstract) in texts.items():
            features = extra.get(pid, [])
            digest = zlib.crc32("\x00".join([title, abstract, *sorted(features)]).encode())
            cached = self._vector_cache.get(pid)
            if cached is not None and cached[0] == digest:
                out[pid] = cached[1]
                continue
            tally: Counter[str] = Counter()
            for word in words(title):
                tally[word] += 2
            for word in words(abstract):
                tally[word] += 1
            tally.update(features)
            vector: Vector = {}
            for feature, tf in tally.items():
                if ":" not in feature and (
                    feature in STOPWORDS or len(feature) < 2 or feature.isdigit()
                ):
                    continue
                weight = idf_cache.get(feature)
                if weight is None:
                    weight = idf_cache[feature] = self.idf(feature, n)
                if weight > 0.0:
                    vector[feature] = (1.0 + math.log(tf)) * weight
            norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
            out[pid] = {f: v / norm for f, v in vector.items()}
            if len(self._vector_cache) >= VECTOR_CACHE:
                self._vector_cache.pop(next(iter(self._vector_cache)))
            self._vector_cache[pid] = (digest, out[pid])
        return out

    # ------------------------------------------------------------------- scoring
    def _stage1(self, query: Vector, n: int) -> array[float]:
        """Scores of every document: the sum of the query's heaviest features it contains."""
        acc = array("d", bytes(8 * n))  # 8 bytes a paper (a list of floats: ~32)
        spent = 0
        heaviest = sorted(query.items(), key=lambda kv: -abs(kv[1]))[:PROFILE_TERMS]
        for feature, weight in heaviest:
            for posting in self._postings(feature):
                size = posting.bit_count() if isinstance(posting, int) else len(posting)
                if spent + size > POSTINGS_BUDGET:
                    continue
                spent += size
                docs: Iterable[int]
                if isinstance(posting, int):
                    docs = compress(range(n), bitset.unpack(posting, n))
                else:
                    docs = posting
                for doc in docs:
                    if doc < n:
                        acc[doc] += weight
        return acc

    def _rerank(
        self, query: Vector, candidates: list[int]
    ) -> tuple[dict[int, float], dict[int, Vector]]:
        """Cosine of each candidate paper's whole vector with ``query`` (stage 2)."""
        vectors = self.vectors(candidates)
        scores = {pid: _agreement(query, vector) for pid, vector in vectors.items()}
        return scores, vectors

    def because(self, query: Vector, vector: Vector) -> tuple[str, ...]:
        """The features that add most to ``vector``'s score against ``query``."""
        parts = sorted(((w * query.get(f, 0.0), f) for f, w in vector.items()), key=lambda p: -p[0])
        return tuple(feature_label(f) for score, f in parts[:BECAUSE] if score > 0.0)

    def explain(self, paper_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        """``because`` of each paper against the current profile (empty before it exists)."""
        ranking = self._ranking
        if ranking is None or not ranking.ready:
            return {pid: () for pid in paper_ids}
        vectors = self.vectors(paper_ids)
        return {pid: self.because(ranking.profile, vectors.get(pid, {})) for pid in paper_ids}

    # ------------------------------------------------------------------- related
    def related(self, paper_id: int, limit: int = 10) -> list[Suggestion]:
        """The papers most like ``paper_id`` (outside the trash), best first."""
        with self._lock:
            whole = self.vectors([paper_id]).get(paper_id)
            query = dict(sorted((whole or {}).items(), key=lambda kv: -kv[1])[:RELATED_TERMS])
            origin = self.engine.doc_of(paper_id)
            if not query or origin is None:
                return []
            n = self._n()
            _, _, alive = self.engine.label_state()
            live = bitset.unpack(alive, n)
            acc = self._stage1(query, n)
            acc[origin] = 0.0
            ids = self.engine.ids
            positive = compress(range(n), map((0.0).__lt__, acc))
            top = sorted((d for d in positive if live[d]), key=acc.__getitem__, reverse=True)
            top = top[: max(RERANK, 4 * limit)]
            scores, vectors = self._rerank(query, [ids[d] for d in top])
            best = sorted(scores, key=lambda pid: (-scores[pid], pid))[:limit]
            return [
                Suggestion(pid, round(scores[pid], 4), self.because(query, vectors[pid]))
                for pid in best
                if scores[pid] > 0.0
            ]

    # --------------------------------------------------------------- recommended
    def labels(self) -> Labels:
        """The user's judgements, from the engine's state and the "not interested" table."""
        status, starred, _ = self.engine.label_state()
        ids = self.engine.ids
        # C-level passes over the per-document bytes (a Python loop cost 12 ms at 100k).
        docs = range(len(status))
        unstarred = starred.translate(_FLIP)
        positives = [ids[d] for d in compress(docs, starred)]
        negatives = [ids[d] for d in compress(docs, map(and_, map((2).__eq__, status), unstarred))]
        weak = [ids[d] for d in compress(docs, map(and_, map((1).__eq__, status), unstarred))]
        dismissed = [
            int(r[0])
            for r in self.store.conn.execute("SELECT paper_id FROM dismissed ORDER BY paper_id")
        ]
        dismissed_set = set(dismissed)
        return Labels(
            tuple(p for p in positives if p not in dismissed_set)[-MAX_LABELS:],
            tuple(p for p in negatives if p not in dismissed_set)[-MAX_LABELS:],
            tuple(dismissed)[-MAX_LABELS:],
            tuple(p for p in weak if p not in dismissed_set)[-MAX_LABELS:],
        )

    def profile(self, labels: Labels) -> Vector:
        """The Rocchio profile: weighted means of the labelled papers' vectors."""
        groups = (
            (labels.positives, POSITIVE),
            (labels.negatives, -NEGATIVE),
            (labels.dismissed, -DISMISSED),
            (labels.weak, WEAK),
        )
        vectors = self.vectors([p for ids, _ in groups for p in ids])
        profile: dict[str, float] = defaultdict(float)
        for ids, weight in groups:
            if not ids:
                continue
            share = weight / len(ids)
            for pid in ids:
                for f, w in vectors.get(pid, {}).items():
                    profile[f] += share * w
        # Only the heaviest features: the rest is mostly words every topic uses, and they
        # blur the cosine of stage 2 (measured: precision@10 at 5 labels of an inconsistent
        # user 0.44 -> 0.72 with 60, benchmarks/discover.py, hard setting in RESULTS.md).
        ranked = sorted(profile.items(), key=lambda kv: -kv[1])
        positive = [kv for kv in ranked if kv[1] > 0.0][:PROFILE_FEATURES]
        negative = [kv for kv in reversed(ranked) if kv[1] < 0.0][: PROFILE_FEATURES // 2]
        return dict(positive + negative)

    def fingerprint(self) -> int:
        """Changes whenever a label or the set of papers does."""
        status, starred, _ = self.engine.label_state()
        dismissed = self.store.conn.execute(
            "SELECT count(*), coalesce(sum(paper_id), 0) FROM dismissed"
        ).fetchone()
        digest = zlib.crc32(status)
        digest = zlib.crc32(starred, digest)
        return zlib.crc32(repr((len(status), tuple(dismissed))).encode(), digest)

    def ranking(self, *, force: bool = False) -> Ranking:
        """The recommended order (recomputed only when a label or the papers changed); it is
        also installed as the engine's ``recommended`` sort order."""
        from readq.models import SortKey

        with self._lock:
            fingerprint = self.fingerprint()
            if self._ranking is not None and fingerprint == self._fingerprint and not force:
                return self._ranking
            ranking = self._rank()
            self._ranking, self._fingerprint = ranking, fingerprint
            self.engine.set_order(SortKey.RECOMMENDED, ranking.order if ranking.ready else None)
            return ranking

    def _rank(self) -> Ranking:
        import time

        from readq.models import SortKey

        started = time.perf_counter()
        labels = self.labels()
        date_order = self.engine.order(SortKey.ADDED)
        needed = max(0, MIN_POSITIVES - len(labels.positives))
        if needed:
            return Ranking(False, needed, array("I", date_order))
        profile = self.profile(labels)
        n = self._n()
        acc = self._stage1(profile, n)
        ids = self.engine.ids
        doc_of = self.engine.doc_of
        dismissed_docs = [d for d in map(doc_of, labels.dismissed) if d is not None]
        keep = bytearray(b"\x01") * n  # 0: dismissed (they go last)
        deque(map(keep.__setitem__, dismissed_docs, repeat(0)), maxlen=0)
        positive = compress(range(n), map(and_, map((0.0).__lt__, acc), keep))
        top = sorted(positive, key=acc.__getitem__, reverse=True)
        head = top[:RERANK]
        scores, _ = self._rerank(profile, [ids[d] for d in head])
        head.sort(key=lambda d: -scores.get(ids[d], 0.0))
        order = array("I", head)
        order.extend(top[RERANK:])

        # Then the papers no profile feature reached, in date order; negative scores after
        # them (a topic read without a star sinks), "not interested" last.
        def kept(test: Callable[[float], bool]) -> Iterator[int]:
            """The papers in date order whose score passes ``test``, dismissed ones out."""
            passing = map(
                and_, map(test, map(acc.__getitem__, date_order)), map(keep.__getitem__, date_order)
            )
            return compress(date_order, passing)

        order.extend(kept((0.0).__eq__))
        order.extend(sorted(kept((0.0).__gt__), key=acc.__getitem__, reverse=True))
        order.extend(compress(date_order, map(not_, map(keep.__getitem__, date_order))))
        return Ranking(True, 0, order, profile, scores, seconds=time.perf_counter() - started)

    def recommended(self, paper_ids: Sequence[int]) -> list[Suggestion]:
        """Score and explanation of each paper (in the given order) against the profile."""
        ranking = self.ranking()
        if not ranking.ready:
            return [Suggestion(pid, 0.0, ()) for pid in paper_ids]
        vectors = self.vectors(paper_ids)
        out: list[Suggestion] = []
        for pid in paper_ids:
            vector = vectors.get(pid, {})
            score = _agreement(ranking.profile, vector)
            out.append(Suggestion(pid, round(score, 4), self.because(ranking.profile, vector)))
        return out


def _agreement(query: Vector, vector: Vector) -> float:
    """Cosine of the two vectors, scaled by ``k / (k + 1)`` where ``k`` is how many features
    agree (add to the score): one shared word, however rare, cannot outweigh a paper that
    shares several (the "coordination" factor of classic retrieval). This is what keeps a
    word with two meanings from pulling in the other topic."""
    total = 0.0
    agree = 0
    for feature, weight in vector.items():
        part = weight * query.get(feature, 0.0)
        if part > 0.0:
            agree += 1
        total += part
    return total * agree / (agree + 1) if total > 0.0 else total


__all__ = [
    "FEATURE_SOURCES",
    "MIN_POSITIVES",
    "AuthorsAndCategories",
    "Discover",
    "FeatureSource",
    "Labels",
    "Ranking",
    "Suggestion",
    "feature_label",
    "normalise_value",
]
