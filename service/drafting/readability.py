"""Readability of a text for citizens: sentence length, share of long sentences, official jargon left in it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from service.drafting.glossary import Glossary

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|\n")
_FOOTNOTE = re.compile(r"\[\^\d+\]")
_WORD = re.compile(r"[\w\u4e00-\u9fff]")


@dataclass
class ReadabilityTargets:
    """What a draft should reach. Sentences end at 。！？； or a line break; length counts non-space characters."""

    max_avg_sentence_chars: float = 30.0
    long_sentence_chars: int = 40
    max_long_share: float = 0.2
    max_jargon: int = 0

    def __post_init__(self) -> None:
        if self.max_avg_sentence_chars <= 0 or self.long_sentence_chars <= 0 or not 0 <= self.max_long_share <= 1:
            raise ValueError("readability targets: lengths must be positive and the long-sentence share in [0, 1]")


@dataclass
class ReadabilityReport:
    sentences: int
    avg_sentence_chars: float
    long_sentences: int
    long_share: float
    jargon: list[dict[str, Any]] = field(default_factory=list)  # term, count, suggestion
    failures: list[str] = field(default_factory=list)  # targets missed, in words

    @property
    def meets_targets(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"meets_targets": self.meets_targets}


def sentences(text: str) -> list[str]:
    out = []
    for piece in _SENTENCE_END.split(_FOOTNOTE.sub("", text)):
        piece = "".join(piece.split())
        if len(_WORD.findall(piece)) >= 2:
            out.append(piece)
    return out


def measure(texts: Iterable[str], glossary: Glossary, targets: ReadabilityTargets) -> ReadabilityReport:
    """The report for `texts` (the points of a draft, or the passages of a source) against `targets`."""
    texts = list(texts)
    found = [s for t in texts for s in sentences(t)]
    lengths = [len(s) for s in found]
    n = len(lengths)
    avg = sum(lengths) / n if n else 0.0
    long = sum(1 for x in lengths if x > targets.long_sentence_chars)
    share = long / n if n else 0.0
    counts: dict[str, int] = {}
    for t in texts:
        for term, c in glossary.jargon(t).items():
            counts[term] = counts.get(term, 0) + c
    jargon = [
        {"term": term, "count": c, "suggestion": glossary.entries[term].suggestion}
        for term, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    failures = []
    if avg > targets.max_avg_sentence_chars:
        failures.append(f"平均句长{avg:.1f}字，超过目标{targets.max_avg_sentence_chars:g}字")
    if share > targets.max_long_share:
        failures.append(f"超过{targets.long_sentence_chars}字的长句占{share:.0%}，超过目标{targets.max_long_share:.0%}")
    if sum(counts.values()) > targets.max_jargon:
        failures.append(f"还有{sum(counts.values())}处公文术语未改成通俗说法")
    return ReadabilityReport(n, round(avg, 2), long, round(share, 4), jargon, failures)
