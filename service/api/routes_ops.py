"""Operations: health and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse

from service.api.deps import Context

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz(ctx: Context) -> Any:
    """200 when the database, the index, the vector store (embedded or Chroma server) and the generator
    all answer; 503 with the failing check otherwise."""
    report = ctx.health()
    return JSONResponse(report, status_code=200 if report["status"] == "ok" else 503)


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(ctx: Context) -> PlainTextResponse:
    """Prometheus text format: requests, latencies, answers, refusals, generator errors, rate limiting, memory."""
    return PlainTextResponse(ctx.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
