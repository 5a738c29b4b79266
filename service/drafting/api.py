"""HTTP routes for drafting: `POST /v1/interpret` and the review workflow under `/v1/drafts`.

`make_router` is a factory: the app decides authentication (`dependencies`) and how writes to the index are
serialised (`write_lock`). Drafting from a server-side file path is not offered over HTTP: an indexed document
or the text itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from service.drafting.markdown import to_markdown
from service.drafting.service import DraftingService
from service.drafting.store import WorkflowError

MEDIA = {"md": "text/markdown; charset=utf-8",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


class InterpretRequest(BaseModel):
    doc: str | None = Field(None, description="an indexed document: its source file name or doc_id")
    text: str | None = Field(None, description="or the policy's full text")
    title: str | None = Field(None, max_length=200, description="the title, when `text` is given")
    save: bool = Field(False, description="store the draft as a new 草稿 for review")
    author: str = Field("api", max_length=100)


class ReviseRequest(BaseModel):
    markdown: str = Field(description="the edited draft, in the Markdown of GET /v1/drafts/{id}")
    author: str = Field(max_length=100)
    note: str = Field("", max_length=500)


class ReviewRequest(BaseModel):
    reviewer: str = Field(max_length=100)
    markdown: str | None = Field(None, description="the reviewer's edits, kept as a new version")
    note: str = Field("", max_length=500)


class PublishRequest(BaseModel):
    publisher: str = Field(max_length=100)


def make_router(
    get_service: Callable[[], DraftingService], dependencies: Sequence[Any] = (),
    write_lock: Callable[[], AbstractContextManager[Any]] | None = None,
) -> APIRouter:
    """The drafting routes on the service `get_service` returns."""
    router = APIRouter(prefix="/v1", tags=["drafting"], dependencies=list(dependencies))
    lock = write_lock or nullcontext

    def guarded(fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except WorkflowError as exc:
            raise HTTPException(409, str(exc)) from exc

    @router.post("/interpret")
    async def interpret(body: InterpretRequest) -> dict[str, Any]:
        """Draft a 政策解读: sections, points, and each point's citations (doc, quote, start, end)."""
        if not (body.doc or body.text):
            raise HTTPException(422, "give `doc` (an indexed document) or `text` (the policy's text)")
        svc = get_service()
        draft, record = await run_in_threadpool(
            svc.interpret, body.doc or "", body.text or "", body.title or "", body.save, body.author, False)
        return draft.to_dict() | {"draft_id": record.id if record else None,
                                  "status": record.status if record else None, "markdown": to_markdown(draft)}

    @router.get("/drafts")
    def drafts(status: str = "") -> list[dict[str, Any]]:
        return [r.to_dict() for r in get_service().store.list(status=status)]

    @router.get("/drafts/{draft_id}")
    def draft(draft_id: int, version: int | None = None) -> dict[str, Any]:
        return get_service().show(draft_id, version)

    @router.post("/drafts/{draft_id}/revise")
    def revise(draft_id: int, body: ReviseRequest) -> dict[str, Any]:
        return guarded(get_service().revise, draft_id, body.markdown, body.author, body.note).to_dict()

    @router.post("/drafts/{draft_id}/review")
    def review(draft_id: int, body: ReviewRequest) -> dict[str, Any]:
        """Approve (草稿 -> 已审核); `markdown` keeps the reviewer's edits as a new version first."""
        return guarded(get_service().review, draft_id, body.reviewer, body.markdown, body.note).to_dict()

    @router.post("/drafts/{draft_id}/publish")
    def publish(draft_id: int, body: PublishRequest) -> dict[str, Any]:
        """Publish a reviewed draft (409 for an unreviewed one): ingested as a 政策解读, its 常见问答 answer citizens."""
        with lock():
            return guarded(get_service().publish, draft_id, body.publisher).to_dict()

    @router.get("/drafts/{draft_id}/diff")
    def diff(draft_id: int, old: int | None = None, new: int | None = None) -> dict[str, Any]:
        return {"draft_id": draft_id, "diff": get_service().store.diff(draft_id, old, new)}

    @router.get("/drafts/{draft_id}/export")
    def export(draft_id: int, format: Annotated[str, Query(pattern="^(md|docx)$")] = "md",  # noqa: A002
               version: int | None = None, public: bool = False) -> Response:
        data = get_service().export(draft_id, format, version, public)
        name = f"interpretation_{draft_id}.{format}"
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
        return Response(data, media_type=MEDIA[format], headers=disposition)

    return router
