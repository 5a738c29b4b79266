"""Staff endpoints (bearer token): documents, validity, reindex, search, audit export."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from retriever.types import DOC_TYPES, SearchFilters
from service.answers import hit_to_dict
from service.api.context import VALIDITIES, Upload
from service.api.deps import Context, Staff
from service.api.errors import ApiError
from service.api.schemas import ISO_DATE, ValidityUpdate

router = APIRouter(prefix="/v1", tags=["staff"], dependencies=[Staff])

Text = Annotated[str | None, Form()]
DATE_OR_EMPTY = rf"{ISO_DATE}|^$"


@router.post("/documents")
async def upload_documents(
    ctx: Context,
    files: Annotated[list[UploadFile], File(description="one or more .txt .md .html .docx .pdf files")],
    kb: Text = None, title: Text = None, doc_number: Text = None, doc_type: Text = None, agency: Text = None,
    issued: Annotated[str | None, Form(pattern=DATE_OR_EMPTY)] = None,
    effective: Annotated[str | None, Form(pattern=DATE_OR_EMPTY)] = None,
    expires: Annotated[str | None, Form(pattern=DATE_OR_EMPTY)] = None,
    region: Text = None, validity: Text = None,
) -> Any:
    """Upload documents; metadata fields given here override what is read from the files.

    Returns one result per file (added / replaced / unchanged / meta_updated / failed with a reason).
    """
    if doc_type and doc_type not in DOC_TYPES:
        raise ApiError(422, "invalid_request", f"doc_type must be one of {' / '.join(DOC_TYPES)}")
    if validity and validity not in VALIDITIES:
        raise ApiError(422, "invalid_request", f"validity must be one of {' / '.join(VALIDITIES)}")
    uploads = []
    for f in files:
        ctx.check_upload(f.filename or "", f.size or 0)  # early 413/415 before reading the whole file
        uploads.append(Upload(f.filename or "", await f.read()))
    overrides = {k: v for k, v in {"title": title, "doc_number": doc_number, "doc_type": doc_type, "agency": agency,
                                   "issued": issued, "effective": effective, "expires": expires, "region": region,
                                   "validity": validity}.items() if v}
    results = await run_in_threadpool(ctx.upload, uploads, kb, overrides)
    body = {"results": [asdict(r) for r in results], "ingested": sum(r.ok for r in results),
            "failed": sum(not r.ok for r in results)}
    if not body["ingested"]:
        reasons = "; ".join(f"{r.source}: {r.reason}" for r in results)
        raise ApiError(422, "ingest_failed", f"no file could be ingested: {reasons}", details=body["results"])
    return body


@router.get("/documents")
def list_documents(ctx: Context, kb: str = "", doc_type: str = "", validity: str = "",
                   q: Annotated[str, Query(description="text in the title, file name or 文号")] = "") -> Any:
    """List indexed documents, optionally filtered."""
    docs = ctx.documents(kb=kb, doc_type=doc_type, validity=validity, q=q)
    return {"total": len(docs), "documents": [asdict(d) for d in docs]}


@router.get("/documents/{doc_id}")
def get_document(doc_id: str, ctx: Context, chunks: bool = False) -> Any:
    """A document's metadata and version history, and with `chunks=true` its chunks."""
    return ctx.document(doc_id, with_chunks=chunks)


@router.delete("/documents/{doc_id}")
def delete_document(doc_id: str, ctx: Context) -> Any:
    """Remove a document from the index (its earlier versions stay in the history)."""
    return {"removed": asdict(ctx.delete(doc_id))}


@router.patch("/documents/{doc_id}")
def update_validity(doc_id: str, body: ValidityUpdate, ctx: Context) -> Any:
    """Change a document's validity, e.g. mark it 已废止 or 已失效 so answers no longer rely on it."""
    return asdict(ctx.set_validity(doc_id, body.validity))


@router.post("/reindex")
def reindex(ctx: Context) -> Any:
    """Rebuild the vector store and the keyword index from the registry."""
    return {"reindexed": ctx.reindex()}


@router.get("/search")
def search(
    ctx: Context,
    q: Annotated[str, Query(min_length=1, description="search text")],
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    doc_type: Annotated[list[str] | None, Query()] = None,
    kb: str = "",
    include_lapsed: bool = False,
) -> Any:
    """Hybrid search (dense + BM25) with each leg's rank, for checking what the assistant can find."""
    filters = SearchFilters(doc_type=doc_type or [], kb=[kb] if kb else [], in_force_only=not include_lapsed)
    hits = ctx.assistant.search(q, k, filters)
    return {"query": q, "hits": [hit_to_dict(h) for h in hits]}


@router.get("/audit/export", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "the audit rows as CSV"}})
def export_audit(ctx: Context, date_from: date | None = None, date_to: date | None = None) -> Response:
    """The audit log between two days (inclusive, China Standard Time) as CSV, with the latest feedback."""
    text = ctx.audit.export_csv(date_from, date_to)
    name = f"audit_{date_from or 'start'}_{date_to or 'now'}.csv"
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
