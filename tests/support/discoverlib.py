"""A small hand-made library of fictional papers in three topics, for discover's tests.

"transformer" means an attention network in the language topic and a voltage device in the
power-grid topic: related papers and the recommended order must follow the whole text, not
that one shared word.
"""

from __future__ import annotations

from pathlib import Path

from readq.models import ScrapedPaper, Source
from readq.store import Store

LANGUAGE = [
    (
        "Sparse attention transformer for long documents",
        "We train a transformer language model whose attention heads skip distant tokens, "
        "cutting memory for long context pretraining and keeping perplexity on benchmarks.",
    ),
    (
        "Tokenizer-free language modelling with byte attention",
        "A language model reads raw bytes with local attention layers; pretraining on web text "
        "matches subword tokens in perplexity with fewer parameters.",
    ),
    (
        "Instruction tuning small language models",
        "Fine-tuning a pretrained language model on instructions improves zero-shot prompts; "
        "attention patterns and token perplexity change little after tuning.",
    ),
    (
        "Context length extrapolation for pretrained language models",
        "Rotary position embeddings let a pretrained language model attend over longer context "
        "than in pretraining, with stable perplexity on long tokens sequences.",
    ),
    (
        "Distilling attention heads of large language models",
        "A small student language model copies the attention maps of a large teacher during "
        "pretraining, keeping most of its perplexity and its context window.",
    ),
]
POWER = [
    (
        "Transformer winding faults in distribution grids",
        "We detect winding faults of a power transformer from voltage and current harmonics "
        "measured at the substation, before insulation fails on the grid.",
    ),
    (
        "Thermal ageing of oil-filled grid transformers",
        "Insulation oil temperature of substation transformers predicts ageing; load cycles and "
        "voltage peaks on the distribution grid accelerate it.",
    ),
    (
        "Voltage regulation with smart inverters on feeders",
        "Photovoltaic inverters on distribution feeders regulate voltage with reactive power; a "
        "controller keeps the grid inside limits during load peaks.",
    ),
    (
        "Harmonic distortion at rural substations",
        "Measurements of current harmonics at rural substations show how inverter loads distort "
        "voltage and heat each transformer on the grid.",
    ),
    (
        "Fault location on medium-voltage cables",
        "Travelling waves on medium voltage cables locate insulation faults; the method uses "
        "substation recorders already on the distribution grid.",
    ),
]
BIRDS = [
    (
        "Song learning in juvenile finches",
        "Juvenile finches copy the songs of adult tutors; recordings of nestlings show syllable "
        "learning peaks weeks after fledging in the colony.",
    ),
    (
        "Migration timing of warblers across the coast",
        "Banding records of warblers show spring migration arriving earlier along the coast; "
        "nesting and fledging follow warmer springs in the colony.",
    ),
    (
        "Nest predation in urban sparrow colonies",
        "Urban sparrow colonies lose nestlings to cats and crows; nesting sites near roofs "
        "reduce predation and raise fledging success in the colony.",
    ),
    (
        "Dawn chorus structure in woodland songbirds",
        "Recordings of the dawn chorus show songbirds time their songs to avoid overlap with "
        "neighbours; syllable rates rise in dense woodland colonies.",
    ),
    (
        "Plumage colour and mate choice in finches",
        "Female finches prefer males with brighter plumage; carotenoid diet during fledging "
        "sets plumage colour in the colony for the breeding season.",
    ),
]
TOPICS = {"language": LANGUAGE, "power": POWER, "birds": BIRDS}


def build(path: Path) -> tuple[Store, dict[str, list[int]]]:
    """A library of the three topics (interleaved, so date order mixes them); the ids of
    each topic's papers in the order listed above."""
    path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(path)
    papers: list[ScrapedPaper] = []
    topic_of: list[str] = []
    for i in range(5):
        for name, items in TOPICS.items():
            title, abstract = items[i]
            papers.append(ScrapedPaper(title, abstract))
            topic_of.append(name)
    store.ingest(papers, Source("handmade.txt", "/l/handmade.txt", "2026-01-01"), "hf")
    by_title = {p.title: p.id for p in store.list_papers()}
    ids = {name: [by_title[t] for t, _ in items] for name, items in TOPICS.items()}
    return store, ids
