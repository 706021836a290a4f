"""Deterministic generator of FICTIONAL research papers for benchmarks and tests.

Everything here is made up from the word lists below (no text comes from real listings):
titles of 50-150 characters, abstracts of 1,000-2,000 characters, an author count or an
organisation, a date and upvotes. The same ``seed`` always gives the same papers.

    python -m benchmarks.generate --papers 1000 --listing out.txt   # Hugging Face listing text
    python -m benchmarks.generate --papers 100000 --db lib.db       # a library, built directly

``cached_library(n)`` returns the path of a library of ``n`` papers under
``benchmarks/.cache/`` (gitignored), building it on first use.
"""

from __future__ import annotations

import argparse
import itertools
import random
import time
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

from readq.models import ScrapedPaper, Source
from readq.store import Store

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
GENERATOR_VERSION = 1

SYLLABLES = [
    "vi",
    "lu",
    "mo",
    "xa",
    "ze",
    "ra",
    "qu",
    "no",
    "ka",
    "te",
    "sy",
    "pho",
    "gra",
    "flu",
    "dre",
    "ori",
    "ne",
    "ver",
    "sta",
    "cor",
    "tri",
    "aur",
    "hel",
    "mi",
    "pla",
    "zen",
    "omi",
    "lex",
    "syn",
    "pix",
    "tal",
    "bro",
    "kin",
    "vas",
    "dun",
    "ell",
    "fae",
    "gor",
    "hux",
    "ist",
    "jol",
]
NAME_TAILS = [
    "Net",
    "Former",
    "GPT",
    "Gen",
    "Bench",
    "Flow",
    "Diff",
    "LM",
    "VLA",
    "Agent",
    "Mix",
    "Edit",
    "Sculpt",
    "Fusion",
    "Pose",
    "Code",
    "RL",
    "Seg",
    "Vid",
    "Mind",
    "Craft",
    "Loop",
    "Nav",
]
METHODS = [
    "diffusion models",
    "transformers",
    "state space models",
    "mixture of experts",
    "low-rank adapters",
    "LoRA fine-tuning",
    "retrieval augmentation",
    "contrastive learning",
    "preference optimization",
    "knowledge distillation",
    "chain-of-thought prompting",
    "graph neural networks",
    "neural radiance fields",
    "Gaussian splatting",
    "vision-language models",
    "large language models",
    "speculative decoding",
    "post-training quantization",
    "flow matching",
    "autoregressive decoders",
    "sparse attention",
    "reward models",
    "policy gradients",
    "masked autoencoders",
    "tokenizers",
    "consistency models",
    "latent diffusion",
    "multimodal transformers",
    "linear attention",
    "recurrent memory",
    "world models",
    "test-time training",
    "instruction tuning",
    "self-supervised encoders",
]
TASKS = [
    "text-to-image generation",
    "video generation",
    "code synthesis",
    "mathematical reasoning",
    "3D reconstruction",
    "speech recognition",
    "machine translation",
    "protein structure prediction",
    "robotic manipulation",
    "long-context understanding",
    "image editing",
    "motion synthesis",
    "document understanding",
    "visual question answering",
    "semantic segmentation",
    "depth estimation",
    "text-to-speech",
    "music generation",
    "theorem proving",
    "tool use",
    "web navigation",
    "subject-driven personalization",
    "novel view synthesis",
    "object detection",
    "dialogue agents",
    "time series forecasting",
    "molecule design",
    "weather prediction",
    "table reasoning",
]
DOMAINS = [
    "medical imaging",
    "autonomous driving",
    "remote sensing",
    "scientific discovery",
    "education",
    "finance",
    "legal documents",
    "low-resource languages",
    "edge devices",
    "embodied agents",
    "satellite imagery",
    "chemistry",
    "software engineering",
    "e-commerce",
]
ADJECTIVES = [
    "efficient",
    "scalable",
    "robust",
    "unified",
    "lightweight",
    "controllable",
    "interpretable",
    "faithful",
    "training-free",
    "zero-shot",
    "few-shot",
    "multilingual",
    "hierarchical",
    "adaptive",
    "generalizable",
    "compositional",
    "consistent",
    "sparse",
    "dense",
    "long-horizon",
    "real-time",
    "data-efficient",
    "calibrated",
    "open-vocabulary",
    "self-improving",
    "verifiable",
]
VERBS = [
    "Improving",
    "Rethinking",
    "Scaling",
    "Taming",
    "Revisiting",
    "Benchmarking",
    "Accelerating",
    "Aligning",
    "Unlocking",
    "Distilling",
    "Steering",
    "Grounding",
    "Evaluating",
    "Compressing",
    "Understanding",
]
PROPERTIES = [
    "Robustness",
    "Emergence",
    "Limits",
    "Calibration",
    "Sample Efficiency",
    "Generalization",
    "Fragility",
    "Geometry",
    "Dynamics",
    "Memorization",
    "Faithfulness",
    "Scaling Behaviour",
]
PREFIXES = [
    "hyper",
    "meta",
    "multi",
    "cross",
    "self",
    "semi",
    "inter",
    "intra",
    "auto",
    "co",
    "pre",
    "post",
    "sub",
    "super",
    "over",
    "under",
    "trans",
    "bi",
    "poly",
    "mono",
    "neuro",
    "geo",
    "chrono",
    "photo",
    "spectro",
    "thermo",
    "quasi",
    "pseudo",
    "omni",
]
STEMS = [
    "graph",
    "token",
    "layer",
    "scale",
    "modal",
    "encoder",
    "lattice",
    "vector",
    "kernel",
    "gradient",
    "manifold",
    "cluster",
    "sampler",
    "planner",
    "metric",
    "prior",
    "signal",
    "field",
    "filter",
    "mapping",
    "embedding",
    "routing",
    "memory",
    "attention",
    "pooling",
    "dynamic",
    "topology",
    "spectrum",
    "operator",
    "alignment",
]
SUFFIXES = ("", "s", "ing", "ed", "ization", "ic", "al", "ity")
FUNCTION_WORDS = [
    "the",
    "of",
    "and",
    "a",
    "to",
    "in",
    "we",
    "is",
    "for",
    "that",
    "with",
    "on",
    "our",
    "this",
    "by",
    "as",
    "are",
    "from",
    "an",
    "which",
    "can",
    "these",
    "it",
    "its",
    "their",
    "be",
    "at",
    "than",
    "both",
    "while",
    "such",
    "across",
    "into",
    "more",
    "most",
    "only",
    "also",
    "has",
    "have",
]
ORGS = [
    "nimbus-ai Nimbus AI",
    "kestrel-labs Kestrel Labs",
    "orchard Orchard Research",
    "tessellate Tessellate",
    "bluefin-ml Bluefin ML",
    "quarry Quarry Institute",
    "lanternworks Lanternworks",
    "polaris-research Polaris Research",
    "driftwood Driftwood AI",
    "copperleaf Copperleaf",
    "meridian-lab Meridian Lab",
    "saltmarsh Saltmarsh University",
    "ironbark Ironbark Systems",
    "foxglove Foxglove AI",
    "granite-ai Granite AI",
    "tidepool Tidepool Labs",
    "heronsbill Heronsbill",
    "ember-research Ember Research",
]
SENTENCES = (
    "{Adj} {method} have shown remarkable progress in {task}, yet they remain costly.",
    "However, existing approaches struggle with {adj} {task} because of {term} and {term2}.",
    "In this work, we introduce {Name}, a {adj} framework that combines {method} with {method2}.",
    "We propose a {adj} {term} objective that aligns {term2} with {term3} during training.",
    "Our key insight is that {term} can be decomposed into {adj} {term2} components.",
    "Experiments on {n} benchmarks for {task} show that {Name} outperforms strong baselines "
    "by {pct}%.",
    "We further analyse the {property} of {method} in {domain} and find consistent gains.",
    "Unlike prior work, our method requires no {term} and runs {x}x faster at inference.",
    "To address this, we design a {term} module and a {adj} {term2} strategy.",
    "Extensive ablations confirm that each component contributes to the final {term}.",
    "We release code, models and a new dataset of {k}K {task} examples.",
    "Theoretical analysis shows that {term} bounds the error of {method} under {term2}.",
    "Our results suggest that {method} are a promising direction for {domain}.",
    "The model is trained on {k}K samples with {term} and evaluated on {task}.",
    "Compared with {method2}, it reduces memory by {pct}% while keeping {adj} quality.",
    "We also study how {term} interacts with {term2} in {adj} settings.",
)
TITLES = (
    "{Name}: {Verb} {Adj} {Method} for {Task}",
    "{Name}: A {Adj} Framework for {Task} in {Domain}",
    "{Verb} {Method} with {Adj} {Term} for {Task}",
    "Towards {Adj} {Task} via {Method} and {Method2}",
    "On the {Property} of {Method} in {Domain}",
    "When {Method} Meets {Method2}: {Adj} {Task}",
    "{Name}: {Adj} {Task} with {Term} {Method}",
    "Scaling {Method} for {Adj} {Task} in {Domain}",
)


class Generator:
    """Fictional papers from a seeded ``random.Random``."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.terms = [p + s + x for p in PREFIXES for s in STEMS for x in SUFFIXES]
        rng.shuffle(self.terms)
        # Zipf-like use of terms: early ones are common, late ones rare.
        weights = [1.0 / (i + 10) for i in range(len(self.terms))]
        self.term_cum = list(itertools.accumulate(weights))
        self.sentences = [self._sentence() for _ in range(40_000)]

    def name(self) -> str:
        """A coined method name such as ``ZeraFlow``."""
        rng = self.rng
        head = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))).capitalize()
        return head + rng.choice(NAME_TAILS) if rng.random() < 0.7 else head

    def term(self) -> str:
        """A technical term drawn with a Zipf-like bias."""
        return self.rng.choices(self.terms, cum_weights=self.term_cum)[0]

    def _fill(self, template: str, name: str) -> str:
        rng = self.rng
        method, method2 = rng.sample(METHODS, 2)
        return template.format(
            Name=name,
            Adj=rng.choice(ADJECTIVES).capitalize(),
            adj=rng.choice(ADJECTIVES),
            Verb=rng.choice(VERBS),
            Method=_title_case(method),
            Method2=_title_case(method2),
            method=method,
            method2=method2,
            Task=_title_case(rng.choice(TASKS)),
            task=rng.choice(TASKS),
            Domain=_title_case(rng.choice(DOMAINS)),
            domain=rng.choice(DOMAINS),
            Property=rng.choice(PROPERTIES),
            property=rng.choice(PROPERTIES).lower(),
            Term=self.term().capitalize(),
            term=self.term(),
            term2=self.term(),
            term3=self.term(),
            n=rng.randint(2, 12),
            pct=rng.randint(3, 60),
            x=rng.randint(2, 9),
            k=rng.randint(5, 900),
        )

    def _sentence(self) -> str:
        text = self._fill(self.rng.choice(SENTENCES), "{Name}")
        if self.rng.random() < 0.5:
            extra = " ".join(self.rng.choices(FUNCTION_WORDS, k=3))
            text = text[:-1] + f", {extra} {self.term()}."
        return text

    def title(self, name: str) -> str:
        """A title of 50-150 characters."""
        for _ in range(20):
            text = self._fill(self.rng.choice(TITLES), name)
            if 50 <= len(text) <= 150:
                return text
        return (text + " in Practice and Theory")[:150]

    def abstract(self, name: str) -> str:
        """An abstract of 1,000-2,000 characters mentioning ``name``."""
        rng = self.rng
        target = rng.randint(1000, 2000)
        parts = [self._fill(SENTENCES[2], name)]
        length = len(parts[0])
        while length < target - 60:
            sentence = rng.choice(self.sentences).replace("{Name}", name)
            parts.append(sentence)
            length += len(sentence) + 1
        text = " ".join(parts)
        if len(text) > 2000:
            text = text[:2000].rsplit(" ", 1)[0] + "."
        return text

    def paper(self, index: int) -> ScrapedPaper:
        """One fictional paper (``index`` keeps titles distinct)."""
        rng = self.rng
        name = self.name()
        title = self.title(name)
        if rng.random() < 0.15:
            title = f"{title} ({rng.choice(['v', 'Part ', 'Track '])}{index % 97 + 1})"[:150]
        day = date(2022, 1, 1) + timedelta(days=rng.randint(0, 1400))
        org: str | None = None
        authors: int | None = None
        if rng.random() < 0.35:
            org = rng.choice(ORGS).split(" ", 1)[1]
        else:
            authors = rng.randint(1, 30)
        upvotes = int(rng.paretovariate(1.3)) - 1 if rng.random() < 0.9 else None
        return ScrapedPaper(
            title=title,
            abstract=self.abstract(name),
            published=day.isoformat(),
            published_text=f"{day:%b} {day.day}, {day.year}",
            upvotes=upvotes,
            authors=authors,
            org=org,
        )

    def papers(self, count: int) -> Iterator[ScrapedPaper]:
        """``count`` papers."""
        for i in range(count):
            yield self.paper(i)


def _title_case(text: str) -> str:
    return " ".join(w if w[:1].isupper() else w.capitalize() for w in text.split())


def listing_text(papers: Sequence[ScrapedPaper], seed: int = 7) -> str:
    """Papers written in the Hugging Face daily-papers listing text format."""
    rng = random.Random(seed)
    lines = [
        "new",
        "",
        "Get trending papers in your email inbox!",
        "",
        "Subscribe",
        "",
        "Daily Papers",
        "",
        "byAK and the research community",
        "",
        "Dec 9",
        "",
    ]
    org_handles = {o.split(" ", 1)[1]: o for o in ORGS}
    for paper in papers:
        lines += [paper.title, "", paper.abstract, ""]
        if paper.org is not None:
            lines.append(org_handles.get(paper.org, f"org {paper.org}"))
        elif paper.authors is not None:
            lines.append(f"  • {paper.authors} authors")
        if paper.published is not None:
            day = date.fromisoformat(paper.published)
            lines.append("·")
            when = f"{day:%b} {day.day}" + ("" if rng.random() < 0.3 else f", {day.year}")
            upvotes = "" if paper.upvotes is None else f" {paper.upvotes}"
            lines.append(when + upvotes)
        lines.append("")
    return "\n".join(lines) + "\n"


def build_library(path: Path, count: int, seed: int = 7, batch: int = 20_000) -> Path:
    """Write a library of ``count`` fictional papers at ``path`` (one transaction per batch)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    generator = Generator(seed)
    with Store.open(path) as store:
        done = 0
        while done < count:
            size = min(batch, count - done)
            papers = [generator.paper(done + i) for i in range(size)]
            source = Source(name=f"gen-{done}", path=f"generated/{done}", seen_at="2025-01-01")
            store.ingest(papers, source, "generated")
            done += size
    return path


def cached_library(count: int, seed: int = 7, cache_dir: Path = CACHE_DIR) -> Path:
    """A cached library of ``count`` papers in ``cache_dir`` (built on first use)."""
    path = cache_dir / f"library-{count}-s{seed}-v{GENERATOR_VERSION}.db"
    if not path.exists():
        tmp = path.with_suffix(".building.db")
        build_library(tmp, count, seed)
        for suffix in ("-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        tmp.rename(path)
    return path


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: write a listing or build a library."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--listing", type=Path, help="write Hugging Face listing text here")
    parser.add_argument("--db", type=Path, help="build a library here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.listing:
        papers = list(Generator(args.seed).papers(args.papers))
        args.listing.write_text(listing_text(papers, args.seed), encoding="utf-8")
    if args.db:
        build_library(args.db, args.papers, args.seed)
    print(f"done in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
