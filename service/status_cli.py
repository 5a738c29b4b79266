"""`policy-assistant docs status REF`: a document's status and why; staff may set or clear an override."""

from __future__ import annotations

import json
from typing import Annotated

import typer


def docs_status(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="doc_id or source file name")],
    set_status: Annotated[str | None, typer.Option("--set", help="override: 现行有效 / 尚未施行 / 已失效 / 已废止 / 已修改")]
    = None,
    note: Annotated[str, typer.Option(help="why the status is set by hand (shown with it)")] = "",
    by: Annotated[str, typer.Option(help="who sets it", envvar="USER")] = "staff",
    clear: Annotated[bool, typer.Option("--clear", help="remove the override; the derived status applies again")] = False,
) -> None:
    """Show a document's status today, its relations and status history; --set / --clear a staff override."""
    assistant = ctx.find_root().obj.assistant
    record = assistant.find_document(ref)
    if set_status and clear:
        raise typer.BadParameter("use either --set or --clear")
    if set_status:
        assistant.status.override(record.doc_id, set_status, note, by)
    elif clear:
        assistant.status.clear_override(record.doc_id)
    typer.echo(json.dumps({"doc_id": record.doc_id, "source": record.source} | assistant.status.details(record.doc_id),
                          ensure_ascii=False, indent=2))
