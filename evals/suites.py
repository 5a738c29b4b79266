"""Question suites and their format adapters: evalkit JSONL (retrieve from a corpus) and RGB (answer from given passages).

Every format becomes a list of `Case`. An expected answer is a list of groups: every group must be matched, and a
group is matched by any one of its alternatives (evalkit: the keywords, or the answer and its aliases; RGB: the
answer list, where an inner list holds alternatives).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Format = Literal["auto", "evalkit", "rgb"]
RGB_NOISE_RATES = (0.0, 0.2, 0.4, 0.6, 0.8)


class SuiteError(ValueError):
    """A suite file that cannot be read; the message names the file, the line and what is missing."""


@dataclass(frozen=True)
class Passage:
    doc: str
    text: str


@dataclass
class Case:
    """One question with what a correct response looks like."""

    id: str
    question: str
    type: str
    answer: str = ""
    groups: list[list[str]] = field(default_factory=list)  # all groups must match; any alternative in a group
    aliases: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    source_docs: list[str] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)  # gold supporting passages
    contexts: list[Passage] = field(default_factory=list)  # given passages: answer from these, do not retrieve
    fake_answer: str = ""  # RGB counterfactual: the wrong answer planted in the passages
    notes: str = ""

    @property
    def expect_refusal(self) -> bool:
        return not self.groups

    @property
    def expected_text(self) -> str:
        if self.expect_refusal:
            return "(refuse)"
        return " ＋ ".join(" / ".join(g) for g in self.groups)


def detect_format(records: list[dict[str, Any]]) -> Format:
    first = records[0] if records else {}
    if "query" in first and ("positive" in first or "positive_wrong" in first):
        return "rgb"
    if "question" in first and "id" in first:
        return "evalkit"
    raise SuiteError(f"unknown suite format: keys {sorted(first)}; expected evalkit (id, question, ...) or RGB (query, positive, ...)")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    records = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SuiteError(f"{path}:{n}: not JSON ({exc.msg})") from exc
    return records


def load_suite(
    path: Path, fmt: Format = "auto", noise_rates: Iterable[float] = RGB_NOISE_RATES, passages: int = 5, seed: int = 0,
) -> list[Case]:
    """The cases of a suite file. Raises SuiteError for an unreadable file or a record missing a required field."""
    records = read_jsonl(path)
    if not records:
        raise SuiteError(f"{path}: no questions")
    fmt = detect_format(records) if fmt == "auto" else fmt
    if fmt == "evalkit":
        return [evalkit_case(r, f"{path}:{i}") for i, r in enumerate(records, start=1)]
    return rgb_cases(records, path.name, noise_rates, passages, seed)


def evalkit_case(r: dict[str, Any], where: str = "") -> Case:
    missing = [k for k in ("id", "question", "type") if k not in r]
    if missing:
        raise SuiteError(f"{where}: missing {', '.join(missing)}")
    passages = [Passage(p["doc"], p["text"]) for p in r.get("supporting_passages") or []]
    aliases, keywords = list(r.get("answer_aliases") or []), list(r.get("answer_keywords") or [])
    if not passages and not r.get("source_docs"):
        groups: list[list[str]] = []  # unanswerable: the right response is a refusal
    elif keywords:
        groups = [[k] for k in keywords]
    else:
        groups = [[a for a in [r.get("answer", ""), *aliases] if a]]
    return Case(
        id=str(r["id"]), question=r["question"], type=r["type"], answer=r.get("answer", ""), groups=groups,
        aliases=aliases, keywords=keywords, source_docs=list(r.get("source_docs") or []), passages=passages,
        notes=r.get("notes", ""),
    )


def _groups(answer: Any) -> list[list[str]]:
    items = answer if isinstance(answer, list) else [answer]
    return [[str(a) for a in item] if isinstance(item, list) else [str(item)] for item in items]


def _flat(passages: list[Any]) -> list[str]:
    """RGB integration questions hold one list of passages per sub-answer: take them round-robin."""
    if not passages or not isinstance(passages[0], list):
        return [str(p) for p in passages]
    out: list[str] = []
    for i in range(max(len(p) for p in passages)):
        out.extend(str(p[i]) for p in passages if i < len(p))
    return out


def rgb_cases(
    records: list[dict[str, Any]], name: str, noise_rates: Iterable[float] = RGB_NOISE_RATES, passages: int = 5,
    seed: int = 0,
) -> list[Case]:
    """RGB records as cases with given passages, the way RGB builds its prompts.

    Counterfactual files (`positive_wrong`) give passages that state a fake answer. Other files give one case per
    noise rate (that share of the passages are negatives) plus one negative-rejection case (negatives only, where
    the right response is a refusal).
    """
    rng = random.Random(seed)
    cases: list[Case] = []
    for i, r in enumerate(records, start=1):
        if "query" not in r or "answer" not in r:
            raise SuiteError(f"{name}:{i}: an RGB record needs query and answer")
        rid, groups = str(r.get("id", i)), _groups(r["answer"])
        positive, negative = _flat(r.get("positive") or []), [str(p) for p in r.get("negative") or []]
        if "positive_wrong" in r:
            wrong = [str(p) for p in r["positive_wrong"]]
            given = wrong[: passages - 1] + negative[: passages - min(len(wrong), passages - 1)]
            cases.append(_rgb_case(f"rgb-{rid}-fact", r["query"], "rgb_counterfactual", groups, given, rng,
                                   fake=str(r.get("fakeanswer", ""))))
            continue
        kind = "rgb_integration" if r.get("positive") and isinstance(r["positive"][0], list) else "rgb_noise"
        for rate in (r for r in noise_rates if 0 <= r < 1):  # all-negative passages: the rejection case below
            n_neg = min(round(passages * rate), len(negative))
            given = negative[:n_neg] + positive[: passages - n_neg]
            cases.append(_rgb_case(f"rgb-{rid}-n{rate:g}", r["query"], f"{kind}_{rate:g}", groups, given, rng))
        if negative:
            cases.append(_rgb_case(f"rgb-{rid}-neg", r["query"], "rgb_negative_rejection", [],
                                   negative[:passages], rng))
    return cases


def _rgb_case(
    cid: str, query: str, kind: str, groups: list[list[str]], given: list[str], rng: random.Random, fake: str = "",
) -> Case:
    given = list(given)
    rng.shuffle(given)
    contexts = [Passage(f"{cid}-p{j}", text) for j, text in enumerate(given, start=1)]
    return Case(id=cid, question=query, type=kind, answer=" / ".join(g[0] for g in groups), groups=groups,
                contexts=contexts, fake_answer=fake)
