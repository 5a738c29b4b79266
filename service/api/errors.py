"""JSON errors at the HTTP edge: `{"error": {"code": ..., "message": ...}}`, never a stack trace.

Service errors (`UserInputError`, `ProviderError`) become 422 and 503; request validation errors become 422
(or 400 for a body that is not JSON at all) with the first problem spelled out for a person to fix.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import PolicyAssistantError, ProviderError, UserInputError

log = logging.getLogger(__name__)

_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                 413: "too_large", 415: "unsupported_media_type", 422: "invalid_request", 429: "rate_limited"}


class ConfigurationError(PolicyAssistantError):
    """The service is configured in a way that is unsafe or cannot work (placeholder token, workers without Chroma)."""


class ApiError(Exception):
    """An error with an HTTP status, a stable machine-readable code and a message a person can act on."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
                 details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.details = details


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return {"error": body}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None,
                   details: Any = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


def _validation_message(errors: list[dict[str, Any]]) -> tuple[int, str, str]:
    first = errors[0] if errors else {}
    if first.get("type") == "json_invalid":
        return 400, "malformed_json", "the request body is not valid JSON; send a JSON object such as {\"question\": \"...\"}"
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    if first.get("type") == "missing":
        return 422, "invalid_request", f"{where} is required"
    if first.get("type") == "extra_forbidden":
        return 422, "invalid_request", f"{where} is not a known field; see /docs for the accepted fields"
    return 422, "invalid_request", f"{where}: {first.get('msg', 'invalid value')}"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers, exc.details)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        status, code, message = _validation_message(errors)
        details = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in errors[:5]]
        return error_response(status, code, message, details=details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code
        if exc.status_code == 404 and message == "Not Found":
            message = "no such endpoint; the API is described at /docs"
        return error_response(exc.status_code, code, message, getattr(exc, "headers", None))

    @app.exception_handler(UserInputError)
    async def _user_input(_: Request, exc: UserInputError) -> JSONResponse:
        return error_response(422, "invalid_request", str(exc))

    @app.exception_handler(ProviderError)
    async def _provider(_: Request, exc: ProviderError) -> JSONResponse:
        log.warning("provider error", extra={"error": str(exc)})
        return error_response(503, "backend_unavailable", f"{exc}; try again later or ask the administrator")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return error_response(500, "internal_error", "something went wrong on our side; it has been logged")
