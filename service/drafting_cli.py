"""`policy-assistant interpret DOC` and `policy-assistant drafts ...`: drafting, review and publishing of 政策解读.

Registered on the main app by `service.cli`; the root context object carries the settings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from service.drafting.docx_export import to_docx
from service.drafting.markdown import to_markdown
from service.drafting.model import Draft
from service.drafting.service import DraftingService

drafts_app = typer.Typer(help="政策解读 drafts: list, show, revise, review, publish, diff, export.", no_args_is_help=True)


def _service(ctx: typer.Context) -> DraftingService:
    root = ctx.find_root().obj
    return DraftingService(root.settings, assistant=getattr(root, "_assistant", None))


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _summary(draft: Draft) -> str:
    src, out = draft.readability["source"], draft.readability["draft"]
    lines = [
        f"{sum(len(s.points) for s in draft.sections)} points in {len(draft.sections)} sections, "
        f"{draft.verified_share():.0%} with verified citations, {draft.seconds:.2f}s",
        f"average sentence: {src['avg_sentence_chars']} -> {out['avg_sentence_chars']} characters; "
        f"long sentences: {src['long_share']:.0%} -> {out['long_share']:.0%}",
    ]
    lines += [f"jargon left: {j['term']} x{j['count']} ({j['suggestion']})" for j in out["jargon"]]
    lines += [f"target missed: {f}" for f in out["failures"]]
    return "\n".join(lines)


def interpret(
    ctx: typer.Context,
    doc: Annotated[str, typer.Argument(help="a file, or an indexed document's source name or doc_id")],
    as_json: Annotated[bool, typer.Option("--json", help="print the draft as JSON")] = False,
    save: Annotated[bool, typer.Option(help="store it as a new 草稿 for review")] = False,
    author: Annotated[str, typer.Option(help="who drafted it (stored with the version)")] = "system",
    out: Annotated[Path | None, typer.Option(help="also write it to FILE.md or FILE.docx (footnoted)")] = None,
) -> None:
    """Draft a plain-language 政策解读 of DOC, every point citing the clause and exact span it comes from."""
    draft, record = _service(ctx).interpret(ref=doc, save=save, author=author)
    if out is not None:
        if out.suffix.lower() == ".docx":
            to_docx(draft, out)
        else:
            out.write_text(to_markdown(draft), encoding="utf-8")
    if as_json:
        _echo_json(draft.to_dict() | {"draft_id": record.id if record else None})
    else:
        typer.echo(to_markdown(draft, status=record.status if record else "", version=1 if record else None))
    typer.echo(_summary(draft), err=True)
    if record:
        hint = f"review with `policy-assistant drafts review {record.id} --reviewer NAME`"
        typer.echo(f"saved as draft {record.id} (草稿); {hint}", err=True)


@drafts_app.command("list")
def drafts_list(ctx: typer.Context, status: Annotated[str, typer.Option(help="草稿 | 已审核 | 已发布")] = "",
                as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List drafts, newest first."""
    records = _service(ctx).store.list(status=status)
    if as_json:
        _echo_json([r.to_dict() for r in records])
        return
    for r in records:
        typer.echo(f"{r.id:>4}  {r.status}  v{r.version}  {r.doc}  {r.title}  {r.updated_at}")
    typer.echo(f"{len(records)} drafts", err=True)


@drafts_app.command("show")
def drafts_show(ctx: typer.Context, draft_id: int, version: Annotated[int | None, typer.Option()] = None,
                as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show a draft's version (the current one by default) with its history."""
    data = _service(ctx).show(draft_id, version)
    if as_json:
        _echo_json(data)
        return
    typer.echo(data["markdown"])
    for e in data["events"]:
        typer.echo(f"{e['at']}  {e['action']:<8} {e['actor']}  {e['from_status']} -> {e['to_status']}  v{e['version']}",
                   err=True)


@drafts_app.command("revise")
def drafts_revise(ctx: typer.Context, draft_id: int, file: Annotated[Path, typer.Argument(help="the edited Markdown")],
                  author: Annotated[str, typer.Option(help="who edited it")], note: str = "") -> None:
    """Store an edited Markdown as a new version (back to 草稿)."""
    record = _service(ctx).revise(draft_id, file.read_text(encoding="utf-8"), author, note)
    typer.echo(f"draft {record.id}: version {record.version}, {record.status}")


@drafts_app.command("review")
def drafts_review(
    ctx: typer.Context, draft_id: int, reviewer: Annotated[str, typer.Option(help="who reviewed it")],
    file: Annotated[Path | None, typer.Option(help="the reviewer's edited Markdown (kept as a new version)")] = None,
    note: str = "",
) -> None:
    """Approve a draft (草稿 -> 已审核), optionally with the reviewer's edits."""
    markdown = file.read_text(encoding="utf-8") if file else None
    record = _service(ctx).review(draft_id, reviewer, markdown, note)
    typer.echo(f"draft {record.id}: version {record.version}, {record.status}")


@drafts_app.command("publish")
def drafts_publish(ctx: typer.Context, draft_id: int, publisher: Annotated[str, typer.Option(help="who publishes")]
                   ) -> None:
    """Publish a reviewed draft: ingest it as a 政策解读 and answer citizens from its 常见问答."""
    record = _service(ctx).publish(draft_id, publisher)
    typer.echo(f"draft {record.id}: {record.status} as {record.published_source} ({record.published_doc_id})")


@drafts_app.command("diff")
def drafts_diff(ctx: typer.Context, draft_id: int, old: Annotated[int | None, typer.Option()] = None,
                new: Annotated[int | None, typer.Option()] = None) -> None:
    """What changed between two versions (by default the previous and the current one)."""
    typer.echo(_service(ctx).store.diff(draft_id, old, new))


@drafts_app.command("export")
def drafts_export(
    ctx: typer.Context, draft_id: int, out: Annotated[Path, typer.Argument(help="FILE.md or FILE.docx")],
    version: Annotated[int | None, typer.Option()] = None,
    public: Annotated[bool, typer.Option(help="the published form: no offsets, no review notes")] = False,
) -> None:
    """Export a version to Markdown or DOCX, citations as footnotes."""
    fmt = "docx" if out.suffix.lower() == ".docx" else "md"
    out.write_bytes(_service(ctx).export(draft_id, fmt, version, public))
    typer.echo(f"wrote {out}")
