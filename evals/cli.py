"""`policy-assistant eval ...`: run suites, compare configurations, write reports, gate regressions.

A plugin of the service CLI (entry-point group `policy_assistant.cli`); it may import `service`, never the reverse.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from evals.gate import GateInputError, check, load_metrics
from evals.judge import JudgeConfig, ragas_metrics
from evals.runner import CONFIGS
from evals.suites import RGB_NOISE_RATES, SuiteError, load_suite
from service.settings import Settings, load_settings

DEFAULT_NOISE_RATES = ",".join(f"{r:g}" for r in RGB_NOISE_RATES)
app = typer.Typer(help="Evaluate answers and retrieval on a question suite.", no_args_is_help=True)

Questions = Annotated[Path, typer.Option(help="a suite file: evalkit JSONL or RGB JSONL", exists=True, dir_okay=False)]
Cache = Annotated[Path | None, typer.Option(help="SQLite file caching embeddings across runs",
                                            envvar="POLICY_EMBEDDING_CACHE")]
Format = Annotated[str, typer.Option("--format", help="auto | evalkit | rgb")]
NoiseRates = Annotated[str, typer.Option(help="RGB: noise rates, comma-separated")]
Passages = Annotated[int, typer.Option(help="RGB: passages given per question", min=1)]
Progress = Annotated[bool, typer.Option(help="show a progress bar")]
JudgeUrl = Annotated[str | None, typer.Option(help="ragas judge: OpenAI-compatible base URL",
                                              envvar="POLICY_EVAL_JUDGE_URL")]
JudgeModel = Annotated[str | None, typer.Option(help="ragas judge: model name", envvar="POLICY_EVAL_JUDGE_MODEL")]
JudgeKey = Annotated[str | None, typer.Option(help="ragas judge: API key", envvar="POLICY_EVAL_JUDGE_API_KEY")]
JudgeMode = Annotated[str, typer.Option(help="ragas judge: json (a JSON reply) | tools (a tool call; llama.cpp and vLLM "
                                             "then enforce its shape)", envvar="POLICY_EVAL_JUDGE_MODE")]
JudgeMaxTokens = Annotated[int, typer.Option(help="ragas judge: longest reply", min=16,
                                             envvar="POLICY_EVAL_JUDGE_MAX_TOKENS")]
JudgeSample = Annotated[int | None, typer.Option(help="ragas judge: judge only the first N answered questions",
                                                 min=1, envvar="POLICY_EVAL_JUDGE_SAMPLE")]
JudgeTimeout = Annotated[float, typer.Option(help="ragas judge: seconds to wait for one reply (a CPU judge needs "
                                                  "minutes)", min=1, envvar="POLICY_EVAL_JUDGE_TIMEOUT")]


def _settings(ctx: typer.Context, cache: Path | None) -> Settings:
    root = ctx.find_root().obj
    base = root.settings if getattr(root, "settings", None) is not None else load_settings()
    return base.model_copy(update={"embedding_cache": cache or base.embedding_cache})


def _suite_options(fmt: str, noise_rates: str, passages: int) -> dict[str, Any]:
    if fmt not in ("auto", "evalkit", "rgb"):
        raise typer.BadParameter("--format must be auto, evalkit or rgb")
    try:
        rates = tuple(float(x) for x in noise_rates.split(",") if x.strip())
    except ValueError as exc:
        raise typer.BadParameter(f"--noise-rates: {exc}") from exc
    return {"fmt": fmt, "noise_rates": rates, "passages": passages}


def _judge_config(url: str | None, model: str | None, key: str | None, mode: str, max_tokens: int,
                  timeout: float, sample: int | None) -> JudgeConfig:
    try:
        return JudgeConfig(url, model, key, mode=mode, max_tokens=max_tokens, timeout=timeout, sample=sample)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--judge-mode") from exc


def _judge(questions: Path, folder: Path, judge: JudgeConfig, options: dict[str, Any]) -> dict[str, Any]:
    lines = (folder / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    predictions = {p["id"]: p for p in map(json.loads, filter(str.strip, lines))}
    result = ragas_metrics(load_suite(questions, **options), predictions, judge)
    if "skipped" in result:
        typer.echo(result["skipped"], err=True)
    return result


@app.command("run")
def run(
    ctx: typer.Context,
    questions: Questions,
    out: Annotated[Path, typer.Option(help="where predictions.jsonl, details.jsonl and metrics.json go")],
    corpus: Annotated[list[Path] | None, typer.Option(help="folder(s) or files to index (not needed for RGB)",
                                                      exists=True)] = None,
    legs: Annotated[str, typer.Option(help="hybrid | dense | lexical")] = "hybrid",
    config: Annotated[str | None, typer.Option(help=f"one of {', '.join(CONFIGS)} (overrides --legs)")] = None,
    cache: Cache = None,
    fmt: Format = "auto",
    noise_rates: NoiseRates = DEFAULT_NOISE_RATES,
    passages: Passages = 5,
    progress: Progress = True,
    judge_url: JudgeUrl = None,
    judge_model: JudgeModel = None,
    judge_api_key: JudgeKey = None,
    judge_mode: JudgeMode = "json",
    judge_max_tokens: JudgeMaxTokens = 1024,
    judge_timeout: JudgeTimeout = 120.0,
    judge_sample: JudgeSample = None,
) -> None:
    """Index CORPUS in OUT/index, answer every question with one configuration, write predictions and metrics.

    Answers are cached under OUT/answers by question and configuration hash: an interrupted run resumes.
    """
    from evals.runner import run_eval

    settings = _settings(ctx, cache).model_copy(update={"data_dir": out / "index"})
    options = _suite_options(fmt, noise_rates, passages)
    judge = _judge_config(judge_url, judge_model, judge_api_key, judge_mode, judge_max_tokens,
                          judge_timeout, judge_sample)
    try:
        metrics = run_eval(questions, corpus or [], out, settings, legs=legs, config=config, show_progress=progress,
                           **options)
    except (SuiteError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    metrics["ragas"] = _judge(questions, out, judge, options)
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    typer.echo(json.dumps(metrics, ensure_ascii=False, indent=2))


@app.command("compare")
def compare(
    ctx: typer.Context,
    corpus: Annotated[list[Path], typer.Option(help="folder(s) or files to index", exists=True)],
    questions: Questions,
    out: Annotated[Path, typer.Option(help="where comparison.json, report.html and one folder per config go")],
    configs: Annotated[str, typer.Option(help="comma-separated configurations")] = ",".join(CONFIGS),
    cache: Cache = None,
    fmt: Format = "auto",
    noise_rates: NoiseRates = DEFAULT_NOISE_RATES,
    passages: Passages = 5,
    progress: Progress = True,
    judge_url: JudgeUrl = None,
    judge_model: JudgeModel = None,
    judge_api_key: JudgeKey = None,
    judge_mode: JudgeMode = "json",
    judge_max_tokens: JudgeMaxTokens = 1024,
    judge_timeout: JudgeTimeout = 120.0,
    judge_sample: JudgeSample = None,
) -> None:
    """Run every configuration on one index of CORPUS; print a table, write comparison.json and report.html.

    Configurations: BM25-only, dense-only, hybrid, hybrid + query expansion, and the LangChain-tutorial baseline
    (RecursiveCharacterTextSplitter 500/50, Chroma similarity search k=4, the same embedder). Answers are cached
    under OUT/<config>/answers by question and configuration hash: an interrupted run resumes.
    """
    from evals.compare import run_compare, table

    options = _suite_options(fmt, noise_rates, passages)
    judge = _judge_config(judge_url, judge_model, judge_api_key, judge_mode, judge_max_tokens,
                          judge_timeout, judge_sample)
    names = tuple(c.strip() for c in configs.split(",") if c.strip())
    command = "policy-assistant eval " + shlex.join(sys.argv[2:]) if len(sys.argv) > 2 else ""
    try:
        comparison = run_compare(questions, corpus, out, _settings(ctx, cache), names, progress, command, **options)
    except (SuiteError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if judge.configured:
        comparison["ragas"] = {name: _judge(questions, out / name, judge, options) for name in names}
    else:
        comparison["ragas"] = ragas_metrics([], {}, judge)  # says why it was skipped
        typer.echo(comparison["ragas"]["skipped"], err=True)
    (out / "comparison.json").write_text(json.dumps(comparison, ensure_ascii=False, indent=2), encoding="utf-8")
    if judge.configured:  # the report was written before the judge ran
        from evals.report import load_results, write_report

        write_report(*load_results(out), out)
    typer.echo(table(comparison))
    typer.echo(f"\n{out / 'comparison.json'}\n{out / 'report.html'}")


@app.command("report")
def report(
    folder: Annotated[Path, typer.Argument(help="the output folder of `eval run` or `eval compare`", exists=True,
                                           file_okay=False)],
    out: Annotated[Path | None, typer.Option(help="where report.html and report.json go (default: FOLDER)")] = None,
    markdown: Annotated[bool, typer.Option(help="also print the side-by-side table as Markdown")] = False,
) -> None:
    """Write an HTML report (tables, recall@k curves, accuracy by type, latency histogram, failures) and a JSON file."""
    from evals.compare import table
    from evals.report import load_results, write_report

    try:
        summary, details = load_results(folder)
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    html_path, json_path = write_report(summary, details, out or folder)
    if markdown:
        typer.echo(table(summary, markdown=True) + "\n")
    typer.echo(f"{html_path}\n{json_path}")


@app.command("gate")
def gate(
    baseline: Annotated[Path, typer.Option(help="metrics of the accepted version (metrics.json or comparison.json)")],
    current: Annotated[Path, typer.Option(help="metrics of the version under test")],
    max_drop: Annotated[float, typer.Option(help="largest allowed drop of any metric (absolute)", min=0)] = 0.02,
    metric: Annotated[list[str] | None, typer.Option(help="gate only these metrics (repeatable)")] = None,
) -> None:
    """Exit 1 if any metric of CURRENT is worse than BASELINE by more than MAX_DROP; 2 if the files are unusable."""
    try:
        findings, names = check(load_metrics(baseline), load_metrics(current), max_drop, metric)
    except GateInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if findings:
        typer.echo(f"FAIL: {len(findings)} of {len(names)} metrics dropped by more than {max_drop}:")
        for f in findings:
            typer.echo(f"  {f.line()}")
        raise typer.Exit(1)
    typer.echo(f"ok: {len(names)} metrics compared, none dropped by more than {max_drop}")
