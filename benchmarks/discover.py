"""Quality and speed of discover (related papers, the recommended order) on generated libraries.

    python -m benchmarks.discover [--sizes 10000,100000] [--users 5] [--output FILE]

Each library holds fictional papers in ``TOPICS`` known topics. Every topic has its own words,
neighbouring topics share ambiguous words (a word with two meanings), and every paper also
draws from a general vocabulary, so no single word gives a paper's topic away. A simulated
user likes one topic: of ``L`` labels (5, 20, 100), 60 % are starred papers of that topic and
the rest are papers of other topics read without a star. Reported:

* precision@10 of the recommended order over the papers still unlabelled (the inbox), against
  date order and a random order (the share of the liked topic in the ten first);
* precision@10 of ``related`` (same topic as the paper asked about), for papers chosen among
  those that contain an ambiguous word;
* the same two measures for the alternative, SQLite FTS5 ``bm25`` queries of the profile's (or
  the paper's) heaviest words, with its build time;
* timings: re-scoring the inbox after one mark, one related query, the first use (features of
  authors and categories read from the library), and the memory the model adds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from readq.discover import Discover
from readq.models import ScrapedPaper, SortKey, Source, Status
from readq.search.engine import SearchEngine
from readq.store import Store

TOPICS = 20
TOPIC_WORDS = 40
GENERAL_WORDS = 3000
AMBIGUOUS_PER_PAIR = 8
LABEL_COUNTS = (5, 20, 100)
TITLE_SHARE = float(os.environ.get("DISCOVER_TITLE_SHARE", "0.2"))
ABSTRACT_SHARE = float(os.environ.get("DISCOVER_ABSTRACT_SHARE", "0.07"))
"""The share of a paper's words drawn from its topic (the rest: general and other words)."""
STAR_NOISE = float(os.environ.get("DISCOVER_STAR_NOISE", "0"))
"""The share of a user's stars given to papers of other topics (an inconsistent user)."""
RELATED_QUERIES = 40

_SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "bu",
    "da",
    "de",
    "di",
    "do",
    "du",
    "ka",
    "ke",
    "ki",
    "ko",
    "ku",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
]
_SYLLABLES += [
    "na",
    "ne",
    "ni",
    "no",
    "nu",
    "ra",
    "re",
    "ri",
    "ro",
    "ru",
    "sa",
    "se",
    "si",
    "so",
    "su",
    "ta",
    "te",
    "ti",
    "to",
    "tu",
    "va",
    "ve",
    "vi",
    "vo",
    "vu",
]


def _word(rng: random.Random, used: set[str]) -> str:
    while True:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in used:
            used.add(word)
            return word


def vocabularies(rng: random.Random) -> tuple[list[list[str]], list[str], list[str]]:
    """Per topic its words (ambiguous ones included), the general words, the ambiguous ones."""
    used: set[str] = set()
    general = [_word(rng, used) for _ in range(GENERAL_WORDS)]
    topics = [[_word(rng, used) for _ in range(TOPIC_WORDS)] for _ in range(TOPICS)]
    ambiguous: list[str] = []
    for t in range(TOPICS):
        for _ in range(AMBIGUOUS_PER_PAIR):
            word = _word(rng, used)
            ambiguous.append(word)
            topics[t].append(word)
            topics[(t + 1) % TOPICS].append(word)
    return topics, general, ambiguous


def generate(size: int, seed: int = 7) -> tuple[list[ScrapedPaper], list[int], list[str]]:
    """``size`` papers, the topic of each, and the ambiguous words."""
    rng = random.Random(seed)
    topics, general, ambiguous = vocabularies(rng)
    authors = [[f"Author{t}x{i}" for i in range(30)] for t in range(TOPICS)]
    papers: list[ScrapedPaper] = []
    labels: list[int] = []
    for n in range(size):
        t = rng.randrange(TOPICS)
        own = topics[t]

        def text(count: int, share: float, own: list[str] = own) -> str:
            return " ".join(
                rng.choice(own) if rng.random() < share else rng.choice(general)
                for _ in range(count)
            )

        pool = authors[t] if rng.random() < 0.8 else authors[rng.randrange(TOPICS)]
        names = [*rng.sample(pool, 2), f"Solo{rng.randrange(size)}"]
        papers.append(
            ScrapedPaper(
                title=f"{text(7, TITLE_SHARE)} {n}",
                abstract=text(rng.randint(60, 110), ABSTRACT_SHARE),
                author_names=tuple(names),
                authors=len(names),
            )
        )
        labels.append(t)
    return papers, labels, ambiguous


def p_at_10(order: list[int], wanted: set[int]) -> float:
    """The share of ``wanted`` among the ten first of ``order``."""
    top = order[:10]
    return sum(1 for p in top if p in wanted) / max(1, len(top))


def fts_build(store: Store) -> tuple[sqlite3.Connection, float]:
    """An FTS5 table over titles and abstracts (the alternative measured), and its build time."""
    conn = sqlite3.connect(store.path)
    started = time.perf_counter()
    conn.execute("DROP TABLE IF EXISTS bench_fts")
    conn.execute("CREATE VIRTUAL TABLE bench_fts USING fts5(title, abstract)")
    conn.execute(
        "INSERT INTO bench_fts (rowid, title, abstract) SELECT id, title, abstract FROM papers"
    )
    conn.commit()
    return conn, time.perf_counter() - started


def fts_query(conn: sqlite3.Connection, terms: list[str], limit: int) -> list[int]:
    """Ids best matching an OR of ``terms`` by bm25."""
    if not terms:
        return []
    match = " OR ".join(f'"{t}"' for t in terms)
    rows = conn.execute(
        "SELECT rowid FROM bench_fts WHERE bench_fts MATCH ? ORDER BY bm25(bench_fts) LIMIT ?",
        (match, limit),
    )
    return [int(r[0]) for r in rows]


def peak_rss(db: Path) -> dict[str, object]:
    """In a fresh process, as the TUI holds it: the search index of ``db`` loaded, then
    discover's first use, a ranking and a related query; peak RSS (VmHWM) before and after."""
    code = f"""
import json, resource
from pathlib import Path
from readq.discover import Discover
from readq.search.engine import SearchEngine
from readq.models import Status
from readq.store import Store
def hwm():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM'):
            return int(line.split()[1]) // 1024
store = Store.open(Path({str(db)!r}))
engine = SearchEngine.load(store)
before = hwm()
ids = list(engine.ids[:40])
store.set_starred(ids[:25], True)
store.set_status(ids[25:], Status.READ)
for p in ids[:25]:
    engine.update_state(p, starred=True)
for p in ids[25:]:
    engine.update_state(p, status=Status.READ)
model = Discover(engine, engine.reader)
model.ranking()
model.related(ids[0], 20)
print(json.dumps({{"rss_index_mb": before, "rss_with_discover_mb": hwm()}}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def bench(size: int, users: int, fts_too: bool = True, rss: bool = False) -> dict[str, object]:
    """Every measure for one library size."""
    rng = random.Random(size)
    papers, topic_of, ambiguous = generate(size)
    out: dict[str, object] = {"size": size}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "readq.db")
        started = time.perf_counter()
        store.ingest(papers, Source("bench.txt", "/bench.txt", "2026-01-01"), "hf")
        out["ingest_s"] = round(time.perf_counter() - started, 2)
        ids = [p.id for p in store.list_papers(with_sources=False, sort=SortKey.TITLE)]
        by_title = {p.title: p.id for p in store.list_papers(with_sources=False)}
        pid_of = [by_title[p.title] for p in papers]
        topic_by_pid = {pid_of[i]: topic_of[i] for i in range(size)}
        del ids
        started = time.perf_counter()
        engine = SearchEngine.load(store)
        out["index_s"] = round(time.perf_counter() - started, 2)
        model = Discover(engine, engine.reader)
        started = time.perf_counter()
        model._meta_postings()
        out["first_use_s"] = round(time.perf_counter() - started, 3)
        out["load_average"] = round(os.getloadavg()[0], 1)
        tracemalloc.start()  # a second model, measured alone (tracing slows it down)
        second = Discover(engine, engine.reader)
        second._meta_postings()
        out["model_mb"] = round(tracemalloc.get_traced_memory()[0] / 2**20, 1)
        del second
        tracemalloc.stop()
        fts: sqlite3.Connection | None = None
        if fts_too:
            fts, fts_s = fts_build(store)
            out["fts_build_s"] = round(fts_s, 2)
        date_order = [engine.ids[d] for d in engine.order(SortKey.ADDED)]
        by_topic: dict[int, list[int]] = {}
        for pid, t in topic_by_pid.items():
            by_topic.setdefault(t, []).append(pid)

        quality: dict[str, dict[str, float]] = {}
        timings: list[float] = []
        cold: list[float] = []
        cpu_timings: list[float] = []
        fts_times: list[float] = []
        for count in LABEL_COUNTS:
            rec, date, rand, fts_p = [], [], [], []
            for user in range(users):
                liked = (user * 7) % TOPICS
                wanted_stars = max(3, round(count * 0.6))
                noisy = round(wanted_stars * STAR_NOISE)
                stars = rng.sample(by_topic[liked], wanted_stars - noisy)
                stars += [
                    p
                    for p in rng.sample(range(1, size + 1), noisy * 3)
                    if topic_by_pid.get(p, liked) != liked
                ][:noisy]
                others = [
                    p
                    for p in rng.sample(range(1, size + 1), count * 3)
                    if topic_by_pid.get(p, liked) != liked
                ]
                reads = others[: count - len(stars)]
                store.set_starred(stars, True)
                store.set_status(reads, Status.READ)
                for p in stars:
                    engine.update_state(p, starred=True)
                for p in reads:
                    engine.update_state(p, status=Status.READ)
                started = time.perf_counter()
                model.ranking()  # a new user: every labelled paper read and tokenised
                cold.append(time.perf_counter() - started)
                # One more star, as a key in the TUI gives: the re-score after a mark.
                extra = next(p for p in by_topic[liked] if p not in stars)
                stars.append(extra)
                store.set_starred([extra], True)
                engine.update_state(extra, starred=True)
                labelled = set(stars) | set(reads)
                started, cpu = time.perf_counter(), time.process_time()
                ranking = model.ranking()
                timings.append(time.perf_counter() - started)
                cpu_timings.append(time.process_time() - cpu)
                wanted = set(by_topic[liked])
                order = [engine.ids[d] for d in ranking.order]
                rec.append(p_at_10([p for p in order if p not in labelled], wanted))
                date.append(p_at_10([p for p in date_order if p not in labelled], wanted))
                shuffled = rng.sample(range(1, size + 1), 200)
                rand.append(p_at_10([p for p in shuffled if p not in labelled], wanted))
                if fts is not None:
                    started = time.perf_counter()
                    heaviest = sorted(ranking.profile.items(), key=lambda kv: -kv[1])
                    terms = [f for f, _ in heaviest if ":" not in f][:30]
                    found = fts_query(fts, terms, 10 + len(labelled))
                    fts_times.append(time.perf_counter() - started)
                    fts_p.append(p_at_10([p for p in found if p not in labelled], wanted))
                store.set_starred(stars, False)
                store.set_status(reads, Status.NEW)
                for p in stars:
                    engine.update_state(p, starred=False)
                for p in reads:
                    engine.update_state(p, status=Status.NEW)
            quality[str(count)] = {
                "recommended": statistics.mean(rec),
                "date": statistics.mean(date),
                "random": statistics.mean(rand),
            }
            if fts_p:
                quality[str(count)]["fts5_bm25"] = statistics.mean(fts_p)
        out["recommended_p10"] = quality
        out["rescore_ms_median"] = round(statistics.median(timings) * 1000, 1)
        out["rescore_ms_max"] = round(max(timings) * 1000, 1)
        out["rescore_cpu_ms_median"] = round(statistics.median(cpu_timings) * 1000, 1)
        out["rescore_cpu_ms_max"] = round(max(cpu_timings) * 1000, 1)
        out["new_labels_ms_median"] = round(statistics.median(cold) * 1000, 1)
        if fts_times:
            out["fts_profile_query_ms_median"] = round(statistics.median(fts_times) * 1000, 1)

        with_ambiguous = [
            pid_of[i] for i, p in enumerate(papers) if set(p.abstract.split()) & set(ambiguous)
        ]
        queries = rng.sample(with_ambiguous, min(RELATED_QUERIES, len(with_ambiguous)))
        rel, rel_fts, rel_t, fts_t, rel_cpu = [], [], [], [], []
        for pid in queries:
            started, cpu = time.perf_counter(), time.process_time()
            found = [s.paper_id for s in model.related(pid, 10)]
            rel_t.append(time.perf_counter() - started)
            rel_cpu.append(time.process_time() - cpu)
            rel.append(p_at_10(found, set(by_topic[topic_by_pid[pid]])))
            if fts is not None:
                vector = model.vectors([pid])[pid]
                heaviest = sorted(vector.items(), key=lambda kv: -kv[1])
                terms = [f for f, _ in heaviest if ":" not in f]
                started = time.perf_counter()
                hits = [h for h in fts_query(fts, terms[:30], 11) if h != pid]
                fts_t.append(time.perf_counter() - started)
                rel_fts.append(p_at_10(hits, set(by_topic[topic_by_pid[pid]])))
        out["related_p10"] = {"readq_index": statistics.mean(rel)}
        if rel_fts:
            out["related_p10"]["fts5_bm25"] = statistics.mean(rel_fts)
        out["related_ms_median"] = round(statistics.median(rel_t) * 1000, 1)
        out["related_ms_max"] = round(max(rel_t) * 1000, 1)
        out["related_cpu_ms_median"] = round(statistics.median(rel_cpu) * 1000, 1)
        if fts is not None:
            out["fts_related_ms_median"] = round(statistics.median(fts_t) * 1000, 1)
            fts.close()
        engine.close()
        store.close()
        if rss:
            out.update(peak_rss(Path(tmp) / "readq.db"))
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the sizes asked for and print one JSON line per size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--no-fts", action="store_true", help="Skip the FTS5 comparison.")
    parser.add_argument("--rss", action="store_true", help="Measure peak RSS as the TUI holds it.")
    args = parser.parse_args(argv)
    for size in (int(s) for s in args.sizes.split(",")):
        print(json.dumps(bench(size, args.users, not args.no_fts, args.rss)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
