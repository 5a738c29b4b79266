"""FastAPI dependencies: the shared service context, staff authentication and the citizen rate limit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.api.auth import check_staff
from service.api.context import ServiceContext


def get_context(request: Request) -> ServiceContext:
    return request.app.state.context


Context = Annotated[ServiceContext, Depends(get_context)]


def client_key(request: Request) -> str:
    """The caller's address (uvicorn substitutes X-Forwarded-For from trusted proxies)."""
    return request.client.host if request.client else "unknown"


def require_staff(request: Request, ctx: Context) -> None:
    check_staff(request, ctx.staff_token)


def citizen_limit(request: Request, ctx: Context) -> None:
    ctx.rate_limit(client_key(request))


Staff = Depends(require_staff)
Limited = Depends(citizen_limit)
