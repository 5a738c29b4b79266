"""Benchmark of 政策解读 drafting (issue #6) on the regulations and 办事指南 of an evalkit corpus.

    python -m evals.bench_drafting --evalkit ../shared/evalkit [--json] [--example FILE --example-out docs/X.md]

Per document: drafting time (after a one-time warm-up that loads jieba), sections and points, the share of points
whose citations check out (re-checked here independently: each quote is exactly the document's text at its
offsets and every number of the point is in its quotes), and readability of the source vs the draft.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path
from typing import Any

from service.drafting.drafter import Drafter
from service.drafting.markdown import to_markdown
from service.drafting.model import Draft
from service.drafting.service import document_from_file

PATTERNS = ("law_*.txt", "guide_*.txt")  # the regulations and the 办事指南
DIGITS = re.compile(r"\d+(?:\.\d+)?")


def check(draft: Draft, text: str) -> tuple[int, int]:
    """(points, points whose every citation is an exact span and whose numbers are all in their quotes)."""
    ok = total = 0
    for _, point in draft.points():
        total += 1
        exact = bool(point.citations) and all(text[c.start : c.end] == c.quote for c in point.citations)
        quoted = {n for c in point.citations for n in DIGITS.findall(c.quote)}
        ok += exact and set(DIGITS.findall(f"{point.question} {point.text}")) <= quoted and point.verified
    return total, ok


def run(corpus: Path) -> dict[str, Any]:
    files = sorted(p for pattern in PATTERNS for p in corpus.glob(pattern))
    if not files:
        raise SystemExit(f"no law_*.txt or guide_*.txt in {corpus}; pass --evalkit pointing at ../shared/evalkit")
    drafter = Drafter()
    started = time.perf_counter()
    drafter.run(document_from_file(files[0]))  # warm-up: jieba's dictionary
    warm_up = time.perf_counter() - started
    rows = []
    for path in files:
        doc = document_from_file(path)
        started = time.perf_counter()
        draft = drafter.run(doc)
        seconds = time.perf_counter() - started
        points, verified = check(draft, doc.text)
        src, out = draft.readability["source"], draft.readability["draft"]
        rows.append({
            "doc": path.name, "chars": len(doc.text), "seconds": round(seconds, 3),
            "sections": len(draft.sections), "points": points, "verified": verified,
            "faq": len(draft.section("常见问答").points) if draft.section("常见问答") else 0,
            "avg_src": src["avg_sentence_chars"], "avg_draft": out["avg_sentence_chars"],
            "long_src": src["long_share"], "long_draft": out["long_share"],
            "jargon_src": sum(j["count"] for j in src["jargon"]),
            "jargon_draft": sum(j["count"] for j in out["jargon"]),
            "missing": [s for s in ("出台背景与依据", "主要内容", "适用对象与条件", "办理流程、材料与时限", "咨询渠道",
                                    "名词解释", "常见问答") if draft.section(s) is None],
        })
    total_points = sum(r["points"] for r in rows)
    return {
        "corpus": str(corpus), "documents": len(rows), "warm_up_seconds": round(warm_up, 2), "rows": rows,
        "total_points": total_points, "verified_share": sum(r["verified"] for r in rows) / total_points,
        "mean_seconds": sum(r["seconds"] for r in rows) / len(rows), "max_seconds": max(r["seconds"] for r in rows),
        "mean_avg_src": sum(r["avg_src"] for r in rows) / len(rows),
        "mean_avg_draft": sum(r["avg_draft"] for r in rows) / len(rows),
        "mean_long_src": sum(r["long_src"] for r in rows) / len(rows),
        "mean_long_draft": sum(r["long_draft"] for r in rows) / len(rows),
    }


def print_report(result: dict[str, Any]) -> None:
    print(f"corpus: {result['corpus']}  documents: {result['documents']}  "
          f"warm-up (jieba): {result['warm_up_seconds']}s")
    print("| document | chars | time (s) | sections | points | verified | FAQ | avg sentence src → draft "
          "| >40 chars src → draft | jargon src → draft | sections left out |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in result["rows"]:
        print(f"| {r['doc']} | {r['chars']} | {r['seconds']:.3f} | {r['sections']} | {r['points']} | {r['verified']} "
              f"| {r['faq']} | {r['avg_src']:.1f} → {r['avg_draft']:.1f} | {r['long_src']:.0%} → {r['long_draft']:.0%} "
              f"| {r['jargon_src']} → {r['jargon_draft']} | {'、'.join(r['missing']) or '—'} |")
    print(f"points: {result['total_points']}, with a verified citation: {result['verified_share']:.1%}")
    print(f"drafting time per document: mean {result['mean_seconds']:.3f}s, max {result['max_seconds']:.3f}s")
    print(f"average sentence length: source {result['mean_avg_src']:.1f} → draft {result['mean_avg_draft']:.1f} chars; "
          f"sentences over 40 chars: {result['mean_long_src']:.0%} → {result['mean_long_draft']:.0%} "
          "(means over documents)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evalkit", type=Path, default=Path("../shared/evalkit"))
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--example", type=Path, help="also draft this file ...")
    parser.add_argument("--example-out", type=Path, help="... and write the draft's Markdown here")
    args = parser.parse_args()
    result = run(args.evalkit / "corpus")
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_report(result)
    if args.example and args.example_out:
        draft = Drafter().run(document_from_file(args.example))
        args.example_out.write_text(to_markdown(draft, status="草稿", version=1), encoding="utf-8")
        print(f"wrote {args.example_out}")


if __name__ == "__main__":
    main()
