"""`policy-assistant eval ...`: measure the assistant on a question set (a plugin of the service CLI)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from evals.runner import run_eval
from service.settings import load_settings

app = typer.Typer(help="Evaluate answers and retrieval on a question set.", no_args_is_help=True)


@app.command("run")
def run(
    ctx: typer.Context,
    questions: Annotated[Path, typer.Option(help="questions in the evalkit JSONL format", exists=True)],
    corpus: Annotated[list[Path], typer.Option(help="folder(s) or files to ingest into a fresh index", exists=True)],
    out: Annotated[Path, typer.Option(help="where predictions.jsonl and metrics.json go")],
    legs: Annotated[str, typer.Option(help="hybrid | dense | lexical")] = "hybrid",
    cache: Annotated[Path | None, typer.Option(help="SQLite file caching embeddings across runs")] = None,
) -> None:
    """Ingest CORPUS into OUT/index (fresh), answer every question, write predictions and metrics."""
    root = ctx.find_root().obj
    base = root.settings if root is not None else load_settings()
    settings = base.model_copy(update={"data_dir": out / "index", "embedding_cache": cache or base.embedding_cache})
    metrics = run_eval(questions, corpus, out, settings, legs=legs)
    typer.echo(json.dumps(metrics, ensure_ascii=False, indent=2))
