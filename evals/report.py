"""`eval report`: one self-contained HTML page (tables and matplotlib charts as inline PNGs) and a JSON file.

The page shows every configuration's metrics side by side, recall@k curves, accuracy by question type, a latency
histogram, and for each configuration the failed questions with what was expected, what was answered and what
was retrieved, so an evaluator can see why.
"""

from __future__ import annotations

import base64
import io
import json
import math
from html import escape
from pathlib import Path
from typing import Any

from evals.scoring import CURVE_KS

MATPLOTLIB_HINT = "pip install 'policy-assistant[eval]'  (needs matplotlib)"
SUMMARY_KEYS = (
    "doc_recall@1", "doc_recall@5", "passage_recall@1", "passage_recall@5", "mrr_doc", "mrr_passage", "ndcg_doc@5",
    "ndcg_passage@5", "answer_contains_acc", "answer_exact_acc", "answer_keywords_acc", "answer_numeric_acc",
    "accuracy", "refusal_acc_on_unanswerable", "false_refusal_rate", "refusal_accuracy", "citation_precision_doc",
    "citation_recall_doc", "citation_precision_span", "citation_recall_span", "verified_sentence_share",
    "counterfactual_misled_rate", "latency_p50_s", "latency_p90_s", "latency_p95_s", "latency_p99_s",
    "n_questions", "n_failures",
)
CSS = """body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px;vertical-align:top}th{background:#f3f3f3}
td.num{text-align:right;font-family:monospace}.why{color:#a00}.src{color:#555;font-size:12px}img{max-width:100%}"""


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(f"the HTML report draws charts with matplotlib: {MATPLOTLIB_HINT}") from exc
    return plt


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    _pyplot().close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def recall_chart(metrics: dict[str, dict[str, Any]]) -> str:
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for ax, level in zip(axes, ("doc", "passage"), strict=True):
        for name, m in metrics.items():
            ys = [m.get(f"{level}_recall@{k}") for k in CURVE_KS]
            if any(y is not None for y in ys):
                ax.plot(CURVE_KS, [y if y is not None else float("nan") for y in ys], marker="o", label=name)
        ax.set(title=f"{level} recall@k", xlabel="k", ylim=(0, 1.02), xticks=list(CURVE_KS))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("recall")
    axes[1].legend(fontsize=8, loc="lower right")
    return _png(fig)


def accuracy_chart(metrics: dict[str, dict[str, Any]]) -> str:
    plt = _pyplot()
    types = sorted({t for m in metrics.values() for t in m.get("by_type", {})})
    fig, ax = plt.subplots(figsize=(max(6, 1.3 * len(types) + 2), 3.8))
    width = 0.8 / max(1, len(metrics))
    for i, (name, m) in enumerate(metrics.items()):
        values = [m.get("by_type", {}).get(t) or 0.0 for t in types]
        ax.bar([x + i * width for x in range(len(types))], values, width, label=name)
    ax.set_xticks([x + width * (len(metrics) - 1) / 2 for x in range(len(types))], types, rotation=25, ha="right")
    ax.set(title="accuracy by question type (refusal counts as correct on unanswerable)", ylim=(0, 1.05))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def latency_chart(details: dict[str, list[dict[str, Any]]]) -> str:
    plt = _pyplot()
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    fig, ax = plt.subplots(figsize=(8, 3.4))
    values = {name: [max(d["latency_s"] * 1000, 0.1) for d in ds if d.get("latency_s") is not None]
              for name, ds in details.items()}
    every = [v for vs in values.values() for v in vs]
    if every:  # log-spaced bins shared by all configurations: latencies span orders of magnitude
        lo, hi = math.log10(min(every)), math.log10(max(every)) + 1e-6
        bins = [10 ** (lo + (hi - lo) * i / 30) for i in range(31)]
        for name, vs in values.items():
            if vs:
                ax.hist(vs, bins=bins, histtype="step", linewidth=1.5, label=name)
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set(title="latency per question", xlabel="milliseconds (log scale)", ylabel="questions")
    return _png(fig)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) else escape(str(value))


def _table(head: list[str], rows: list[list[Any]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{_fmt(c)}</td>' if not isinstance(c, str) else f"<td>{escape(c)}</td>"
                         for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{th}</tr>{body}</table>"


def _failures_html(name: str, failures: list[dict[str, Any]]) -> str:
    if not failures:
        return f"<h3>{escape(name)}: no failures</h3>"
    rows = []
    for d in failures:
        sources = "".join(
            f'<div class="src">[{i}] {escape(s["doc"])} {escape(s.get("heading", ""))}: {escape(s["text"][:160])}</div>'
            for i, s in enumerate(d.get("sources", []), start=1)
        ) or '<div class="src">(nothing retrieved)</div>'
        rows.append(
            f'<tr><td>{escape(d["id"])}<br>{escape(d["type"])}</td><td>{escape(d["question"])}</td>'
            f'<td>{escape(d["expected"])}</td><td>{escape(d["answer"])}</td><td>{sources}</td>'
            f'<td class="why">{escape(d.get("failure") or "")}</td></tr>'
        )
    head = "<tr><th>id / type</th><th>question</th><th>expected</th><th>answer</th><th>retrieved</th><th>why</th></tr>"
    return (f'<h3 id="failures-{escape(name)}">{escape(name)}: {len(failures)} failures</h3>'
            f'<table class="failures">{head}{"".join(rows)}</table>')


def _judged(summary: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """config -> its ragas result: under each run's metrics (eval run) or beside the configs (eval compare)."""
    judged = summary.get("ragas")
    if isinstance(judged, dict) and "skipped" not in judged:
        return {n: judged[n] for n in names if isinstance(judged.get(n), dict)}
    found = {n: summary["configs"][n]["metrics"].get("ragas") for n in names}
    found = {n: r for n, r in found.items() if isinstance(r, dict)}
    return found or ({names[0]: judged} if isinstance(judged, dict) and names else {})


def _judge_html(summary: dict[str, Any], names: list[str]) -> str:
    judged = _judged(summary, names)
    skipped = [r["skipped"] for r in judged.values() if "skipped" in r]
    scored = {n: r for n, r in judged.items() if "skipped" not in r}
    if not scored:
        reason = skipped[0] if skipped else "ragas metrics were not run"
        return f'<h2>Judge (ragas)</h2><p id="ragas-skipped">{escape(reason)}</p>'
    cols = list(scored)
    first = next(iter(scored.values()))
    keys = sorted({k for r in scored.values() for k in r if k.startswith("ragas_")})
    rows = [[k, *(scored[c].get(k) for c in cols)] for k in keys]
    rows += [[f"unscored {m}", *(scored[c].get("unscored", {}).get(m) for c in cols)]
             for m in first.get("unscored", {})]
    rows.append(["judged answers", *(scored[c].get("n") for c in cols)])
    return (f'<h2>Judge (ragas)</h2><p>judge model: {escape(str(first.get("judge_model")))} '
            f'({escape(str(first.get("judge_mode", "")))}); unscored = replies that could not be parsed, left out '
            f'of the means</p><div id="ragas">{_table(["metric", *cols], rows)}</div>')


def render_html(summary: dict[str, Any], details: dict[str, list[dict[str, Any]]]) -> str:
    metrics = {name: c["metrics"] for name, c in summary["configs"].items()}
    names = list(metrics)
    summary_rows = [[key, *(metrics[n].get(key) for n in names)] for key in SUMMARY_KEYS
                    if any(metrics[n].get(key) is not None for n in names)]
    types = sorted({t for m in metrics.values() for t in m.get("by_type_detail", {})})
    type_rows = [[t, name, *(metrics[name]["by_type_detail"].get(t, {}).get(k) for k in
                             ("n", "accuracy", "refusal_rate", "passage_recall@5", "citation_precision_doc",
                              "latency_p50_s"))]
                 for t in types for name in names if t in metrics[name].get("by_type_detail", {})]
    charts = [("recall-at-k", "recall@k curves", recall_chart(metrics)),
              ("accuracy-by-type", "accuracy by question type", accuracy_chart(metrics)),
              ("latency-histogram", "latency histogram", latency_chart(details))]
    parts = [
        f"<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>Evaluation report</title>"
        f"<style>{CSS}</style></head><body><h1>Evaluation report</h1>",
        f"<p>questions: {escape(str(summary.get('questions', '')))} ({summary.get('n_questions', '?')}); "
        f"corpus: {escape(', '.join(summary.get('corpus', [])))} ({summary.get('n_documents', '?')} documents)</p>",
        f"<p>command: <code>{escape(summary.get('command', ''))}</code></p>" if summary.get("command") else "",
        "<h2>Metrics</h2>", _table(["metric", *names], summary_rows),
    ]
    parts += [f'<h2>{escape(title)}</h2><img id="{cid}" alt="{escape(title)}" src="data:image/png;base64,{png}">'
              for cid, title, png in charts]
    parts += ["<h2>By question type</h2>",
              _table(["type", "config", "n", "accuracy", "refusal rate", "passage R@5", "cite P doc", "p50 s"],
                     type_rows)]
    parts.append(_judge_html(summary, names))
    parts.append("<h2>Failures</h2>")
    parts += [_failures_html(n, [d for d in details.get(n, []) if not d["correct"]]) for n in names]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(summary: dict[str, Any], details: dict[str, list[dict[str, Any]]], out: Path) -> tuple[Path, Path]:
    """Write OUT/report.html and OUT/report.json (metrics and failures of every configuration)."""
    out.mkdir(parents=True, exist_ok=True)
    html_path, json_path = out / "report.html", out / "report.json"
    html_path.write_text(render_html(summary, details), encoding="utf-8")
    data = {k: v for k, v in summary.items() if k != "configs"} | {
        "configs": {name: c | {"failures": [d for d in details.get(name, []) if not d["correct"]]}
                    for name, c in summary["configs"].items()}
    }
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return html_path, json_path


def load_results(folder: Path) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """(summary, details) from the output folder of `eval compare` or of `eval run`.

    Raises FileNotFoundError when the folder holds neither comparison.json nor metrics.json.
    """
    if (folder / "comparison.json").exists():
        summary = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
        details = {name: _read_jsonl(folder / name / "details.jsonl") for name in summary["configs"]}
        return summary, details
    if (folder / "metrics.json").exists():
        metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        name = str(metrics.get("config") or metrics.get("legs") or "run")
        summary = {"configs": {name: {"metrics": metrics}}, "n_questions": metrics.get("n_questions")}
        return summary, {name: _read_jsonl(folder / "details.jsonl")}
    raise FileNotFoundError(f"{folder} has neither comparison.json (eval compare) nor metrics.json (eval run)")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
