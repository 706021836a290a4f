"""Evaluating a parsed query over the index: clauses to document sets, words and phrases to
scored tiers, and the matches split into rank buckets (best first).

Why apart: this is the query language's meaning (AND, OR, groups, negation, filters, ranking);
it uses the word matcher and the sort orders but none of the code that builds the index or
keeps it current.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from readq.models import SortKey
from readq.search import bitset, tagged
from readq.search.documents import LibraryRows
from readq.search.index import check
from readq.search.matching import Matcher, WordMatcher, phrase_pattern
from readq.search.orders import SortOrders
from readq.search.query import (
    AllOf,
    AnyOf,
    Field,
    HasNoteClause,
    HasTagClause,
    Node,
    PhraseClause,
    Query,
    ReadClause,
    StarredClause,
    StatusClause,
    TagClause,
    ViewFilter,
    WordClause,
    YearClause,
)
from readq.search.state import PaperState
from readq.search.tokens import words

# Rank of one query word in one paper (higher is better).
TITLE_EXACT, TITLE_PREFIX, TITLE_TYPO = 6, 5, 4
OTHER_EXACT, OTHER_PREFIX, OTHER_TYPO = 3, 2, 1

RANKED_TERMS = 64
"""Only the first this many words and phrases of a query rank its results (the others still
filter): ranking costs a pass per word over every distinct score, so a pasted page of words
stays bounded."""
_PHRASE_CACHE = 16
_CHUNK = 900

Cancel = Callable[[], bool] | None


@dataclass(frozen=True, slots=True)
class Tier:
    """Documents a word or phrase matches equally well, and the score they get for it."""

    score: int
    bits: int


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What a query selects: rank buckets (best first, each walked in ``order``, or by
    descending document when None), every match across views, and the highlight matchers."""

    buckets: list[int]
    matched: int
    order: Sequence[int] | None
    matchers: tuple[Matcher, ...]


def any_of(tiers: list[Tier]) -> int:
    """The documents of all ``tiers``."""
    bits = 0
    for tier in tiers:
        bits |= tier.bits
    return bits


def rank(start: int, positives: list[list[Tier]], cancel: Cancel) -> list[int]:
    """``start`` split by score, best first. A paper that a word does not match (it matched
    another alternative of an OR) keeps its score for that word."""
    scores: dict[int, int] = {0: start}
    for tiers in positives:
        check(cancel)
        nxt: dict[int, int] = {}
        for score, bits in scores.items():
            for tier in tiers:
                both = bits & tier.bits
                if both:
                    key = score + tier.score
                    nxt[key] = nxt.get(key, 0) | both
                    bits &= ~both
            if bits:
                nxt[score] = nxt.get(score, 0) | bits
        scores = nxt
    return [scores[s] for s in sorted(scores, reverse=True)]


class Evaluator:
    """Runs parsed queries over the index; caches phrase results until :meth:`forget`."""

    def __init__(
        self,
        state: PaperState,
        rows: LibraryRows,
        matcher: WordMatcher,
        orders: SortOrders,
    ) -> None:
        self.state = state
        self.rows = rows
        self.matcher = matcher
        self.orders = orders
        self.phrase_cache: OrderedDict[tuple[object, ...], list[Tier]] = OrderedDict()
        self.tag_sets = tagged.TagSets()

    def forget(self) -> None:
        """Drop the cached phrase results (any change, notes included, may change them)."""
        self.phrase_cache.clear()

    def run(
        self,
        query: Query,
        sort: SortKey,
        view: ViewFilter,
        cancel: Cancel,
        reverse: bool = False,
    ) -> Evaluation:
        """Evaluate ``query`` within ``view``, ranked, in ``sort`` order (or its reverse)."""
        state = self.state
        base = state.view_bits(view)
        positives: list[list[Tier]] = []
        matchers: list[Matcher] = []
        matched = state.alive
        for clause in query.clauses:
            matched &= self.evaluate(clause, positives, matchers, cancel)
        order: Sequence[int] | None = None
        # Better matches first, whatever the sort; the chosen sort orders papers of equal rank.
        buckets = [matched & base]
        if positives:
            buckets = rank(matched & base, positives[:RANKED_TERMS], cancel)
        if sort is not SortKey.RELEVANCE:
            order = self.orders.get(sort)
        if reverse:
            # Worst matches first, and each bucket walked backwards.
            buckets = buckets[::-1]
            order = range(state.n) if order is None else order[::-1]
        return Evaluation(buckets, matched, order, tuple(matchers))

    def evaluate(
        self,
        node: Node,
        positives: list[list[Tier]] | None,
        matchers: list[Matcher],
        cancel: Cancel,
    ) -> int:
        """The documents ``node`` selects. Words and phrases that make papers match (not under
        a negation) add their tiers to ``positives`` (ranking) and to ``matchers``
        (highlighting)."""
        check(cancel)
        alive = self.state.alive
        collect = None if node.negated else positives
        bits: int
        if isinstance(node, AllOf):
            bits = alive
            for item in node.items:
                bits &= self.evaluate(item, collect, matchers, cancel)
        elif isinstance(node, AnyOf):
            bits = 0
            for item in node.items:
                bits |= self.evaluate(item, collect, matchers, cancel)
        elif isinstance(node, WordClause):
            bits = alive
            for token in node.tokens:
                tiers = self.term_tiers(token, node.fields, cancel)
                bits &= any_of(tiers)
                if collect is not None:
                    collect.append(tiers)
                    matchers.append(self.matcher.matcher(token))
        elif isinstance(node, PhraseClause):
            tiers = self.phrase_tiers(node, cancel)
            bits = any_of(tiers)
            if collect is not None:
                collect.append(tiers)
                matchers.append(Matcher("", frozenset(), phrase_pattern(node.text)))
        else:
            bits = self.filter_bits(node)
        return alive & ~bits if node.negated else bits

    def filter_bits(
        self,
        clause: StatusClause
        | StarredClause
        | HasNoteClause
        | YearClause
        | ReadClause
        | TagClause
        | HasTagClause,
    ) -> int:
        """The documents a filter clause selects."""
        state = self.state
        if isinstance(clause, StatusClause):
            return state.status_bits[clause.status]
        if isinstance(clause, StarredClause):
            return state.starred_bits
        if isinstance(clause, HasNoteClause):
            return state.note_bits
        if isinstance(clause, ReadClause):
            # Read dates are not held in memory (a filter on them is rare): they are looked up
            # through the read-order index, as the SQL path does.
            return state.bits_of(self.rows.read_ids(clause.op, clause.day))
        if isinstance(clause, TagClause | HasTagClause):
            # Read from the library, kept until a tag write (readq.search.tagged): tag
            # changes need no index update, from this process or another.
            return self.tag_sets.bits(
                self.rows.conn, clause, state.docs_of, state.n, state.id_span()
            )
        bits = 0
        for year, year_bits in state.year_bits.items():
            if clause.accepts(year):
                bits |= year_bits
        return bits

    def term_tiers(self, token: str, fields: frozenset[Field], cancel: Cancel) -> list[Tier]:
        """Per-tier document sets for one query word (disjoint, best tier first)."""
        raw = self.matcher.term_raw(token, cancel)
        title_exact, title_prefix, title_typo = (0, 0, 0)
        if Field.TITLE in fields:
            title_exact, title_prefix, title_typo = raw[Field.TITLE]
        exact = prefix = typo = 0
        for field in (Field.ABSTRACT, Field.ORG):
            if field in fields:
                e, p, t = raw[field]
                exact, prefix, typo = exact | e, prefix | p, typo | t
        if Field.NOTE in fields and self.state.notes:
            e, p, t = self.matcher.note_raw(token)
            exact, prefix, typo = exact | e, prefix | p, typo | t
        tiers: list[Tier] = []
        seen = 0
        for score, bits in (
            (TITLE_EXACT, title_exact),
            (TITLE_PREFIX, title_prefix),
            (TITLE_TYPO, title_typo),
            (OTHER_EXACT, exact),
            (OTHER_PREFIX, prefix),
            (OTHER_TYPO, typo),
        ):
            bits &= ~seen
            if bits:
                tiers.append(Tier(score, bits))
                seen |= bits
        return tiers

    def phrase_tiers(self, clause: PhraseClause, cancel: Cancel) -> list[Tier]:
        """Documents containing the phrase in the title (scored as an exact title word) and
        elsewhere (as an exact word elsewhere); cached until :meth:`forget`."""
        key = (clause.text.casefold(), clause.fields)
        cached = self.phrase_cache.get(key)
        if cached is not None:
            return cached
        index = self.state.index
        tokens = words(clause.text)
        fields = [f for f in Field if f in clause.fields]
        simple = len(tokens) == 1 and tokens[0] == clause.text.casefold()
        per_field: dict[Field, int] = {}
        for field in fields:
            bits = self.state.alive
            for i, token in enumerate(tokens):
                if simple or i == 0:
                    candidates = index.containing(token)
                elif i == len(tokens) - 1:
                    candidates = index.with_prefix(token)
                else:
                    candidates = [token]
                bits &= index.union(field, candidates, cancel)
                if not bits:
                    break
            per_field[field] = bits
        if not simple:
            per_field = self.verify_phrase(clause.text, per_field, cancel)
        title = per_field.get(Field.TITLE, 0)
        other = 0
        for field, bits in per_field.items():
            if field != Field.TITLE:
                other |= bits
        tiers = [t for t in (Tier(TITLE_EXACT, title), Tier(OTHER_EXACT, other & ~title)) if t.bits]
        self.phrase_cache[key] = tiers
        while len(self.phrase_cache) > _PHRASE_CACHE:
            self.phrase_cache.popitem(last=False)
        return tiers

    def verify_phrase(
        self, text: str, candidates: dict[Field, int], cancel: Cancel
    ) -> dict[Field, int]:
        """Keep the candidates whose field really contains the phrase. ASCII phrases are
        checked inside SQLite (``LIKE``, ASCII case-insensitive, no text crosses into Python);
        others with a regular expression in Python."""
        n = self.state.n
        ids = self.state.ids
        union = 0
        for bits in candidates.values():
            union |= bits
        docs = [d for block in bitset.iter_desc(union, n) for d in block]
        fields = list(candidates)
        needle = " ".join(text.split())
        in_sql = needle.isascii()
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%" if in_sql else None
        pattern = phrase_pattern(needle)
        found: dict[Field, list[int]] = {f: [] for f in fields}
        for start in range(0, len(docs), _CHUNK):
            check(cancel)
            chunk = docs[start : start + _CHUNK]
            by_id = {ids[d]: d for d in chunk}
            for row in self.rows.field_texts(fields, list(by_id), like):
                doc = by_id[int(row[0])]
                for field, value in zip(fields, row[1:], strict=True):
                    if (in_sql and value) or (not in_sql and pattern.search(str(value))):
                        found[field].append(doc)
        return {f: bitset.from_indices(ds, n) & candidates[f] for f, ds in found.items()}
