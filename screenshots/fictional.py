"""Fictional papers for screenshots, tests and timing runs (no real paper text anywhere).

``curated_papers()`` gives a few dozen hand-written entries; ``generated_papers(n)`` gives any
number of deterministic made-up ones, cheap enough for a million.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from readq.models import ScrapedPaper

CURATED: list[tuple[str, str, str, int, int]] = [
    # title, org, published, upvotes, authors
    (
        "Sparse Lanterns: Routing Tokens Through Quiet Experts",
        "Northwind Lab",
        "2025-03-14",
        212,
        7,
    ),
    ("Diffusion Gardens for Procedural Terrain", "Fjord Institute", "2025-03-13", 87, 4),
    ("A Field Guide to Tokenizer Drift", "Larkspur AI", "2025-03-12", 140, 3),
    (
        "Counting Sheep: Sleep-Inspired Consolidation in Transformers",
        "Quillmere",
        "2025-03-12",
        64,
        5,
    ),
    ("Latent Origami: Folding Diffusion Trajectories", "Northwind Lab", "2025-03-11", 321, 9),
    (
        "The Patient Critic: Slow Reward Models Beat Fast Ones",
        "Cobalt Research",
        "2025-03-10",
        45,
        6,
    ),
    ("Whisper Networks for Low-Resource Speech", "Fjord Institute", "2025-03-10", 98, 8),
    (
        "Mixture of Librarians: Retrieval with Many Small Indexes",
        "Larkspur AI",
        "2025-03-09",
        176,
        4,
    ),
    ("Graph Lullabies: Message Passing at Dusk", "Quillmere", "2025-03-08", 12, 2),
    (
        "Teaching Robots to Fold Laundry from Ten Demonstrations",
        "Ironbark Robotics",
        "2025-03-08",
        254,
        11,
    ),
    ("Small Models, Long Memories", "Cobalt Research", "2025-03-07", 77, 3),
    ("Curriculum Tides: Ordering Data by Difficulty Waves", "Northwind Lab", "2025-03-06", 33, 5),
    ("Vision Lighthouses: Anchoring Image Tokens", "Fjord Institute", "2025-03-05", 118, 6),
    ("On the Calibration of Overconfident Oracles", "Larkspur AI", "2025-03-04", 29, 2),
    ("Hummingbird: A 1-Bit Language Model That Hovers", "Ironbark Robotics", "2025-03-03", 402, 12),
    ("Quantum-Free Annealing for Discrete Diffusion", "Quillmere", "2025-03-02", 56, 4),
    (
        "Benchmarks That Bite Back: Adversarial Evaluation Suites",
        "Cobalt Research",
        "2025-03-01",
        90,
        7,
    ),
    ("Weather Models as Video Generators", "Northwind Lab", "2025-02-28", 133, 9),
    ("Tiny Agents, Big Spreadsheets", "Larkspur AI", "2025-02-27", 61, 3),
    ("Echo Chambers in Self-Play Reinforcement Learning", "Fjord Institute", "2025-02-26", 22, 5),
    ("Mapping Coral Reefs with Self-Supervised Sonar", "Ironbark Robotics", "2025-02-25", 47, 8),
    ("Gradient Gardening: Pruning While You Train", "Quillmere", "2025-02-24", 188, 4),
    ("A Cartographer's Guide to Embedding Spaces", "Cobalt Research", "2025-02-23", 71, 2),
    (
        "Polyglot Parrots: Code-Switching in Multilingual Models",
        "Northwind Lab",
        "2025-02-22",
        39,
        6,
    ),
    ("Sketch to Sculpture: 3D Diffusion from Doodles", "Fjord Institute", "2025-02-21", 265, 10),
    ("The Long Tail of Robot Grasping", "Ironbark Robotics", "2025-02-20", 15, 5),
    ("Attention Is Mostly Local, Except When It Is Not", "Larkspur AI", "2025-02-19", 301, 3),
    ("Distilling Chess Engines into Chatty Tutors", "Quillmere", "2025-02-18", 84, 4),
    (
        "Lossless Compression of Model Checkpoints with Rivers",
        "Cobalt Research",
        "2025-02-17",
        26,
        3,
    ),
    (
        "Reasoning Ladders: Step Verifiers for Math Word Problems",
        "Northwind Lab",
        "2025-02-16",
        159,
        7,
    ),
    (
        "Mosaic: Stitching Video Clips into Coherent Stories",
        "Fjord Institute",
        "2025-02-15",
        102,
        8,
    ),
    ("Federated Beekeeping: Privacy for Hive Sensors", "Ironbark Robotics", "2025-02-14", 8, 4),
]

ABSTRACT_TEMPLATES = [
    "We introduce {name}, a method that {verb} {thing} without {cost}. On three made-up "
    "benchmarks it improves accuracy by {n} points while using {m}x less compute. We release "
    "nothing, because this paper is fictional and exists only to fill readq's screenshots.",
    "This fictional study asks whether {thing} can be {verb2} at scale. We find that a simple "
    "baseline {verb} {thing} surprisingly well, and that {name} closes the remaining gap of {n}%.",
]
VERBS = ["routes", "compresses", "aligns", "calibrates", "distils", "retrieves", "folds"]
VERBS2 = ["learned", "compressed", "aligned", "predicted", "generated", "verified"]
THINGS = [
    "token streams",
    "diffusion trajectories",
    "robot demonstrations",
    "long documents",
    "sparse experts",
    "speech features",
    "graph messages",
]
COSTS = ["extra labels", "a second model", "any fine-tuning", "human feedback"]

WORDS = [
    "sparse",
    "dense",
    "latent",
    "diffusion",
    "transformer",
    "graph",
    "attention",
    "robot",
    "vision",
    "speech",
    "language",
    "model",
    "models",
    "learning",
    "neural",
    "efficient",
    "scalable",
    "robust",
    "adaptive",
    "contrastive",
    "generative",
    "retrieval",
    "reasoning",
    "memory",
    "tokens",
    "experts",
    "agents",
    "policy",
    "reward",
    "alignment",
    "calibration",
    "benchmark",
    "evaluation",
    "compression",
    "quantization",
    "distillation",
    "pruning",
    "curriculum",
    "video",
    "image",
    "audio",
    "text",
    "multimodal",
    "federated",
    "causal",
    "temporal",
    "spatial",
    "hierarchical",
    "recursive",
    "lantern",
    "origami",
    "garden",
    "ladder",
    "mosaic",
    "river",
    "tide",
    "beacon",
    "compass",
    "harbor",
    "meadow",
    "orchard",
]
ORGS = ["Northwind Lab", "Fjord Institute", "Larkspur AI", "Quillmere", "Cobalt Research"]


def _abstract(rng: random.Random, name: str) -> str:
    template = rng.choice(ABSTRACT_TEMPLATES)
    return template.format(
        name=name,
        verb=rng.choice(VERBS),
        verb2=rng.choice(VERBS2),
        thing=rng.choice(THINGS),
        cost=rng.choice(COSTS),
        n=rng.randint(2, 19),
        m=rng.randint(2, 9),
    )


def curated_papers() -> list[ScrapedPaper]:
    """The hand-written fictional papers (newest first in the list once ingested)."""
    rng = random.Random(7)
    papers: list[ScrapedPaper] = []
    for index, (title, org, published, upvotes, authors) in enumerate(reversed(CURATED)):
        name = title.split(":")[0]
        papers.append(
            ScrapedPaper(
                title=title,
                abstract=_abstract(rng, name),
                published=published,
                published_text=published,
                upvotes=upvotes,
                authors=authors,
                org=org,
                urls=(f"https://example.org/papers/fictional-{index:03d}",),
            )
        )
    return papers


def generated_papers(count: int, *, seed: int = 1) -> Iterator[ScrapedPaper]:
    """``count`` deterministic fictional papers with unique titles."""
    rng = random.Random(seed)
    for index in range(count):
        words = rng.sample(WORDS, 5)
        title = " ".join(w.capitalize() for w in words) + f" {index}"
        day = 1 + index % 28
        month = 1 + (index // 28) % 12
        yield ScrapedPaper(
            title=title,
            abstract=f"Fictional abstract {index}: {' '.join(rng.sample(WORDS, 12))}.",
            published=f"2024-{month:02d}-{day:02d}",
            published_text=f"2024-{month:02d}-{day:02d}",
            upvotes=rng.randint(0, 500),
            authors=rng.randint(1, 12),
            org=rng.choice(ORGS),
            urls=(f"https://example.org/generated/{index}",),
        )
