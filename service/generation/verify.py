"""Citation verification: every sentence of a generated answer is checked against the sources it cites.

A sentence is supported only if it cites at least one known source, every number, date, percentage and 文号 in it
appears in a cited source (`facts`), and enough of its content appears there too (character-bigram overlap, a
threshold calibrated by `evals/calibrate_verify.py`). The caller decides what to do with the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.generation.facts import Facts, extract, normalize, unsupported

# [1] [1,2] [1、2] [1-3] [1][2] 【1】 ［1］; at most two digits, so that "[2024]" in a 文号 is not a citation.
MARKER = re.compile(r"[\[【［]\s*(\d{1,2}(?:\s*[,，、\-–~]\s*\d{1,2})*)\s*[\]】］]")
SENTENCE_END = re.compile(r"[。！？!?]+[”’」』）)]*|\n+")
CONTENT = re.compile(r"[\u4e00-\u9fff]|[0-9a-z]+(?:\.[0-9]+)?%?")
# List numbering and Markdown a model adds around a sentence: "1. ", "（二）", "- ", "**…**", "### "
LAYOUT = re.compile(
    r"^\s*(?:#{1,6}\s*|[-*•·]\s+|\d{1,2}(?:\.(?!\d)|[、)）])\s*|[（(]\d{1,2}[)）]\s*|[（(]?[一二三四五六七八九十]{1,3}[、)）]\s*)+"
)
DEFAULT_MIN_OVERLAP = 0.35  # calibrated by evals/calibrate_verify.py (docs/benchmarks.md)


@dataclass
class SentenceCheck:
    """The verdict on one sentence: `text` without its citation markers, the source numbers it cites."""

    text: str
    cited: list[int]
    verified: bool
    overlap: float = 0.0
    facts: list[str] = field(default_factory=list)
    unsupported_facts: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # no_citation | unknown_source | unsupported_fact | low_overlap
    claims: Facts = field(default_factory=Facts, repr=False, compare=False)  # kept to choose quoted spans
    grams: set[str] = field(default_factory=set, repr=False, compare=False)


def parse_markers(text: str) -> list[int]:
    """The source numbers cited in `text`, in order of appearance, without repeats ("[1-3]" gives 1, 2, 3)."""
    out: list[int] = []
    for m in MARKER.finditer(text):
        for part in re.split(r"\s*[,，、]\s*", m.group(1)):
            bounds = [int(x) for x in re.split(r"\s*[\-–~]\s*", part) if x]
            numbers = range(bounds[0], bounds[-1] + 1) if len(bounds) == 2 and bounds[1] - bounds[0] < 10 else bounds
            out.extend(n for n in numbers if n not in out)
    return out


def strip_markers(text: str) -> str:
    return MARKER.sub("", text)


def clean_sentence(text: str) -> str:
    """The sentence without citation markers, list numbering and Markdown emphasis."""
    return LAYOUT.sub("", strip_markers(text).replace("**", "").replace("__", "")).strip()


def split_sentences(text: str) -> list[str]:
    """Sentences with their markers; a marker written after the full stop ("……。[1]") stays with its sentence."""
    pieces: list[str] = []
    pos = 0
    for m in SENTENCE_END.finditer(text):
        if m.start() < pos:
            continue
        end = m.end()
        while True:
            trailing = re.compile(r"[ \t]*").match(text, end)
            after = trailing.end() if trailing else end
            marker = MARKER.match(text, after)
            if not marker:
                break
            end = marker.end()
        pieces.append(text[pos:end])
        pos = end
    pieces.append(text[pos:])
    return [p.strip() for p in pieces if p.strip()]


def units(text: str) -> list[str]:
    """Content units: each Chinese character, and each run of digits or Latin letters."""
    return CONTENT.findall(normalize(text))


def bigrams(text: str) -> set[str]:
    """Bigrams of content units within each punctuation-free stretch, plus single units for one-unit stretches."""
    grams: set[str] = set()
    for stretch in re.split(r"[^\u4e00-\u9fff0-9a-z.%]+", normalize(text)):
        seq = CONTENT.findall(stretch)
        if len(seq) == 1:
            grams.add(seq[0])
        grams.update(a + "\x00" + b for a, b in zip(seq, seq[1:], strict=False))
    return grams


def overlap(sentence: str | set[str], evidence: str | set[str] | list[set[str]]) -> float:
    """Share of the sentence's content bigrams that occur in the evidence (0 for a sentence without content).

    Either side may be given as its bigrams already; the evidence also as a list of bigram sets (several sources).
    """
    own = sentence if isinstance(sentence, set) else bigrams(sentence)
    if not own:
        return 0.0
    if isinstance(evidence, list):
        return sum(any(g in grams for grams in evidence) for g in own) / len(own)
    theirs = evidence if isinstance(evidence, set) else bigrams(evidence)
    return len(own & theirs) / len(own)


class CitationVerifier:
    """Checks generated sentences against numbered source texts.

    `min_overlap` is the least share of a sentence's content bigrams that must appear in its cited sources;
    raises ValueError when it is outside [0, 1].
    """

    def __init__(self, min_overlap: float = DEFAULT_MIN_OVERLAP, min_content: int = 2) -> None:
        if not 0 <= min_overlap <= 1:
            raise ValueError("min_overlap must be between 0 and 1")
        self.min_overlap = min_overlap
        self.min_content = min_content

    def check(self, answer: str, sources: dict[int, str]) -> list[SentenceCheck]:
        """One verdict per sentence of `answer` that has content; `sources` maps citation numbers to their text."""
        evidence_facts = {n: extract(t, source=True) for n, t in sources.items()}
        evidence_grams = {n: bigrams(t) for n, t in sources.items()}
        checks = []
        for raw in split_sentences(answer):
            text = clean_sentence(raw)
            if len(units(text)) < self.min_content:
                continue
            checks.append(self.check_sentence(text, parse_markers(raw), evidence_facts, evidence_grams))
        return checks

    def check_sentence(
        self, text: str, cited: list[int], evidence_facts: dict[int, Facts], evidence_grams: dict[int, set[str]]
    ) -> SentenceCheck:
        known = [n for n in cited if n in evidence_grams]
        claims = extract(text)
        check = SentenceCheck(text, known, False, facts=claims.labels(), claims=claims, grams=bigrams(text))
        if not cited:
            check.reasons.append("no_citation")
        elif not known:
            check.reasons.append("unknown_source")
        if not known:
            check.unsupported_facts = check.facts
            return check
        merged = Facts()
        for n in known:
            f = evidence_facts[n]
            merged.doc_numbers |= f.doc_numbers
            merged.dates |= f.dates
            merged.percents |= f.percents
            merged.numbers |= f.numbers
        check.unsupported_facts = unsupported(claims, merged)
        if check.unsupported_facts:
            check.reasons.append("unsupported_fact")
        check.overlap = overlap(check.grams, [evidence_grams[n] for n in known])
        if check.overlap < self.min_overlap:
            check.reasons.append("low_overlap")
        check.verified = not check.reasons
        return check


def unit_evidence(text: str) -> tuple[Facts, set[str]]:
    """What `supporting_unit` compares a sentence with, computed once per unit."""
    return extract(text, source=True), bigrams(text)


def supporting_unit(
    sentence: str | SentenceCheck, candidates: list[str] | list[tuple[Facts, set[str]]]
) -> int:
    """Index of the candidate (a source's sentences or table rows, as text or as `unit_evidence`) that best
    supports `sentence` (a text, or a checked sentence with its facts and bigrams).

    The unit that holds the sentence's facts wins; among those, the one with the highest overlap; ties go to the
    earliest. Returns -1 when there are no candidates.
    """
    if isinstance(sentence, SentenceCheck):
        claims, own = sentence.claims, sentence.grams
    else:
        claims, own = extract(sentence), bigrams(sentence)
    best, best_key = -1, (-1, -1.0)
    for i, candidate in enumerate(candidates):
        facts, grams = unit_evidence(candidate) if isinstance(candidate, str) else candidate
        key = (-len(unsupported(claims, facts)), overlap(own, grams))
        if key > best_key:
            best, best_key = i, key
    return best
