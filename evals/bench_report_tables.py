"""Issue #8 benchmark: annual-report tables on the evalkit corpus, and numeric answers before and after this issue.

1. Every 年度报告 of the corpus is parsed: does its table 三 (依申请公开, 25 rows x 7 columns) parse completely and pass
   the template's rule (新收 + 上年结转 = 办理结果总计 + 结转下年度, per column)? Failures are listed with why.
2. One index of the corpus answers the numeric_table and annual_report_fact questions of dev_questions.jsonl, 12
   more table questions (evals/report_table_questions.jsonl, gold read by hand from the reports) and, as a regression
   check, all dev questions, twice: without this issue's additions (table and status fast paths, date filter, lapse
   note) and with them. evalkit's own scorer scores both.

    python -m evals.bench_report_tables --evalkit ../shared/evalkit --cache .cache/embeddings.sqlite3
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ingest.loaders import load_file
from ingest.metadata import extract_metadata
from ingest.report_tables import read_report
from service.answers import Answer
from service.assistant import Assistant
from service.settings import load_settings
from service.status_questions import StatusAnswerer
from service.table_answers import TableAnswerer

TYPES = ("numeric_table", "annual_report_fact")


def table_three_share(corpus: Path, sources: dict[str, Any]) -> dict[str, Any]:
    """Per report: table 三 complete? balanced? and the problems found."""
    rows = []
    for path in sorted(corpus.glob("ar_*")):
        text = load_file(path).text
        meta = extract_metadata(text, path.name)
        report = read_report(text, path.name, meta.region, meta.year)
        problems = [p for p in report.problems if p.table == "三" or p.kind == "narrative"]
        balanced = report.complete("三") and not any(p.kind == "balance" for p in report.problems)
        rows.append({"doc": path.name, "full_text": "excerpt" not in sources.get(path.name, {}).get("completeness", ""),
                     "complete": report.complete("三"), "passes": balanced,
                     "problems": [f"[{p.kind}] {p.message}" for p in problems]})
    full = [r for r in rows if r["full_text"]]
    return {"reports": len(rows), "passing": sum(r["passes"] for r in rows), "full_text": len(full),
            "full_text_passing": sum(r["passes"] for r in full), "rows": rows}


def _prediction(qid: str, answer: Answer) -> dict[str, Any]:
    return {"id": qid, "answer": answer.answer, "refused": answer.refused,
            "retrieved": [{"doc": h.document.source, "text": h.chunk.text} for h in answer.hits],
            "citations": [{"doc": c.doc, "text": c.quote} for c in answer.citations], "generator": answer.generator}


def without_issue_8(assistant: Assistant) -> None:
    """Take this issue's additions out of an assistant (same index), to answer as before it."""
    assistant.fast_paths[:] = [p for p in assistant.fast_paths if not isinstance(p, TableAnswerer | StatusAnswerer)]
    assistant.filter_hooks[:] = [h for h in assistant.filter_hooks if getattr(h, "__self__", None) is not assistant.status]
    assistant.answer_hooks[:] = [h for h in assistant.answer_hooks if getattr(h, "__self__", None) is not assistant.status]


def score(evalkit: Path, questions: list[dict[str, Any]], predictions: list[dict[str, Any]], out: Path,
          name: str) -> dict[str, Any]:
    qfile, pfile = out / "questions.jsonl", out / f"predictions_{name}.jsonl"
    qfile.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    pfile.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions), encoding="utf-8")
    done = subprocess.run([sys.executable, str(evalkit / "score.py"), str(qfile), str(pfile)], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def answer_accuracy(evalkit: Path, out: Path, cache: Path | None, extra: Path) -> dict[str, Any]:
    """Both question sets answered from one index, with this issue's additions and without them."""
    every = [json.loads(line) for line in (evalkit / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    dev = [q for q in every if q["type"] in TYPES]
    more = [json.loads(line) for line in extra.read_text(encoding="utf-8").splitlines() if line.strip()]
    settings = load_settings(data_dir=out / "index", embedding_cache=cache)
    assistant = Assistant(settings)
    started = time.perf_counter()
    failed = [r for r in assistant.ingest([evalkit / "corpus"]) if not r.ok]
    ingest_s = time.perf_counter() - started
    after = {q["id"]: _prediction(q["id"], assistant.ask(q["question"])) for q in every + more}
    without_issue_8(assistant)
    before = {q["id"]: _prediction(q["id"], assistant.ask(q["question"])) for q in every + more}
    info = {"ingest_failed": [r.source for r in failed], "ingest_seconds": round(ingest_s, 1),
            "embedder": settings.embedder}
    return info | {"dev": _compare(evalkit, out, dev, before, after, "dev"),
                   "supplementary": _compare(evalkit, out, more, before, after, "supplementary"),
                   "all_dev": _compare(evalkit, out, every, before, after, "all_dev")}


def _compare(evalkit: Path, out: Path, questions: list[dict[str, Any]], before_all: dict[str, Any],
             after_all: dict[str, Any], label: str) -> dict[str, Any]:
    before = [before_all[q["id"]] for q in questions]
    after = [after_all[q["id"]] for q in questions]
    result: dict[str, Any] = {"questions": len(questions)}
    for name, preds in (("before", before), ("after", after)):
        metrics = score(evalkit, questions, preds, out, f"{label}_{name}")
        result[name] = {k: metrics.get(k) for k in ("answer_contains_acc", "by_type", "citation_precision_doc",
                                                    "doc_recall@5", "false_refusal_rate")}
        result[name]["correct"] = [q["id"] for q, p in zip(questions, preds, strict=True)
                                   if score(evalkit, [q], [p], out, "one")["answer_contains_acc"] == 1.0]
    result["answers"] = [{"id": q["id"], "type": q["type"], "gold": q["answer"], "before": b["answer"][:160],
                          "after": a["answer"][:160], "after_path": a["generator"]}
                         for q, b, a in zip(questions, before, after, strict=True)]
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--evalkit", type=Path, default=Path("../shared/evalkit"))
    parser.add_argument("--cache", type=Path, default=None, help="SQLite embedding cache shared across indexes")
    parser.add_argument("--out", type=Path, default=Path("out/bench_report_tables"))
    parser.add_argument("--skip-answers", action="store_true", help="only parse the reports (no index, no model)")
    parser.add_argument("--extra", type=Path, default=Path(__file__).parent / "report_table_questions.jsonl",
                        help="more numeric_table questions on the evalkit corpus (gold read by hand from the tables)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    sources = json.loads((args.evalkit / "sources.json").read_text(encoding="utf-8"))
    tables = table_three_share(args.evalkit / "corpus", sources)
    print(f"table 三 parses completely and balances: {tables['passing']}/{tables['reports']} reports "
          f"({tables['full_text_passing']}/{tables['full_text']} of the full texts)")
    for row in tables["rows"]:
        state = "PASS" if row["passes"] else "FAIL"
        print(f"  {state} {row['doc']}{'' if row['full_text'] else ' (excerpt)'}")
        for problem in row["problems"]:
            print(f"       {problem}")
    report: dict[str, Any] = {"tables": tables}
    if not args.skip_answers:
        answers = answer_accuracy(args.evalkit, args.out, args.cache, args.extra)
        report["answers"] = answers
        print(f"\nembedder {answers['embedder']}, corpus ingested in {answers['ingest_seconds']}s")
        for label in ("dev", "supplementary", "all_dev"):
            part = answers[label]
            print(f"{label}: {part['questions']} questions")
            for name in ("before", "after"):
                m = part[name]
                print(f"  {name}: answer accuracy {m['answer_contains_acc']}  by type {m['by_type']}  "
                      f"citation precision {m['citation_precision_doc']}  correct {m['correct']}")
            for a in part["answers"] if label != "all_dev" else []:
                print(f"  {a['id']} [{a['after_path']}] gold={a['gold']!r}\n     before: {a['before']}\n"
                      f"     after:  {a['after']}")
    (args.out / "bench_report_tables.json").write_text(json.dumps(report, ensure_ascii=False, indent=2),
                                                       encoding="utf-8")


if __name__ == "__main__":
    main()
