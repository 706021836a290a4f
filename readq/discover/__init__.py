"""Discover: related papers, the recommended order ("for you") and why (:mod:`.model`)."""

from readq.discover.model import (
    FEATURE_SOURCES,
    MIN_POSITIVES,
    Discover,
    FeatureSource,
    Labels,
    Ranking,
    Suggestion,
    feature_label,
)

__all__ = [
    "FEATURE_SOURCES",
    "MIN_POSITIVES",
    "Discover",
    "FeatureSource",
    "Labels",
    "Ranking",
    "Suggestion",
    "feature_label",
]
