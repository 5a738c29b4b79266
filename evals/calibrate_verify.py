"""Calibrate the verifier's content-overlap threshold (`verify_min_overlap`) on questions with gold passages.

For every gold supporting passage, two sentences a model could write are built: the passage itself, and the
question turned into a statement with its gold answer ("洪泽区2023年在政府网站平台主动公开政府信息1136条").
Each is scored against a chunk-sized window around its passage (should pass) and against a window elsewhere in the
same document and in another document (should fail). The threshold that best separates them (Youden's J on the
statements, the harder case) is printed with the whole table.

    .venv/bin/python -m evals.calibrate_verify --set ../shared/evalkit --set examples
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from service.generation.conversation import QUESTION_WORDS
from service.generation.verify import overlap

WINDOW = 200  # characters on each side of a passage: about the size of a retrieved chunk


def load_set(folder: Path) -> tuple[list[dict], dict[str, str]]:
    questions_file = next(p for p in (folder / "dev_questions.jsonl", folder / "questions.jsonl") if p.exists())
    questions = [json.loads(line) for line in questions_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = {p.name: p.read_text(encoding="utf-8") for p in (folder / "corpus").iterdir() if p.suffix in (".txt", ".md")}
    return questions, docs


def statement(question: str, answer: str) -> str:
    first = re.split(r"[？?]", question)[0]
    return QUESTION_WORDS.sub("", first) + answer


def window(text: str, start: int, end: int) -> str:
    return text[max(0, start - WINDOW) : end + WINDOW]


def cases(questions: list[dict], docs: dict[str, str], rng: random.Random) -> list[tuple[str, str, float, bool]]:
    """(kind, sentence, overlap, supported) for every gold passage found in a text document."""
    out = []
    names = sorted(docs)
    for q in questions:
        for passage in q.get("supporting_passages", []):
            text = docs.get(passage["doc"])
            if text is None or passage["text"] not in text:
                continue
            start = text.index(passage["text"])
            end = start + len(passage["text"])
            right = window(text, start, end)
            far = [i for i in range(0, max(1, len(text) - 2 * WINDOW), WINDOW) if abs(i - start) > 3 * WINDOW]
            wrong_here = text[rng.choice(far) :][: 2 * WINDOW + len(passage["text"])] if far else ""
            other = docs[rng.choice([n for n in names if n != passage["doc"]])]
            at = rng.randrange(0, max(1, len(other) - 2 * WINDOW))
            wrong_there = other[at : at + 2 * WINDOW + len(passage["text"])]
            sentences = {"passage": " ".join(passage["text"].split()),
                         "statement": statement(q["question"], q["answer"])}
            for kind, sentence in sentences.items():
                out.append((kind, sentence, overlap(sentence, right), True))
                for wrong in (wrong_here, wrong_there):
                    if wrong:
                        out.append((kind, sentence, overlap(sentence, wrong), False))
    return out


def table(scored: list[tuple[str, str, float, bool]], thresholds: list[float]) -> list[dict]:
    rows = []
    for t in thresholds:
        row: dict = {"threshold": t}
        for kind in ("passage", "statement"):
            pos = [s for k, _, s, ok in scored if k == kind and ok]
            neg = [s for k, _, s, ok in scored if k == kind and not ok]
            row[f"{kind}_pass"] = sum(s >= t for s in pos) / len(pos)
            row[f"{kind}_false_pass"] = sum(s >= t for s in neg) / len(neg)
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", action="append", type=Path, required=True, help="a folder with questions + corpus/")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    scored = []
    for folder in args.set:
        questions, docs = load_set(folder)
        scored += cases(questions, docs, rng)
    rows = table(scored, [round(0.05 * i, 2) for i in range(1, 14)])
    n_pos = sum(ok for *_, ok in scored)
    print(f"{n_pos} supported and {len(scored) - n_pos} unsupported (sentence, evidence) pairs")
    print("threshold  passage: pass / false pass   statement: pass / false pass")
    for r in rows:
        print(f"  {r['threshold']:.2f}       {r['passage_pass']:.2f} / {r['passage_false_pass']:.2f}"
              f"              {r['statement_pass']:.2f} / {r['statement_false_pass']:.2f}")
    best = max(rows, key=lambda r: (round(r["statement_pass"] - r["statement_false_pass"], 4), -r["threshold"]))
    print(f"best threshold (Youden's J on statements): {best['threshold']:.2f}")


if __name__ == "__main__":
    main()
