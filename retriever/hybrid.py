"""Pure functions for hybrid ranking: reciprocal rank fusion and near-duplicate collapse."""

from __future__ import annotations

import re
from dataclasses import dataclass

_WS = re.compile(r"\s+")


@dataclass
class Fused:
    chunk_id: str
    score: float
    dense_rank: int | None = None
    dense_score: float | None = None
    lexical_rank: int | None = None
    lexical_score: float | None = None


def reciprocal_rank_fusion(
    dense: list[tuple[str, float]], lexical: list[tuple[str, float]], k: int = 60,
    dense_weight: float = 1.0, lexical_weight: float = 1.0,
) -> list[Fused]:
    """Fuse two ranked lists: score = sum of weight / (k + rank), ranks 1-based. Ties keep dense order first."""
    fused: dict[str, Fused] = {}
    for rank, (cid, score) in enumerate(dense, start=1):
        item = fused.setdefault(cid, Fused(cid, 0.0))
        item.score += dense_weight / (k + rank)
        item.dense_rank, item.dense_score = rank, score
    for rank, (cid, score) in enumerate(lexical, start=1):
        item = fused.setdefault(cid, Fused(cid, 0.0))
        item.score += lexical_weight / (k + rank)
        item.lexical_rank, item.lexical_score = rank, score
    order = {cid: i for i, cid in enumerate(fused)}
    return sorted(fused.values(), key=lambda f: (-f.score, order[f.chunk_id]))


def bigrams(text: str) -> set[str]:
    text = _WS.sub("", text)
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def is_near_duplicate(a: set[str], b: set[str], threshold: float = 0.9) -> bool:
    """Jaccard similarity of character bigram sets at or above `threshold`."""
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= threshold
