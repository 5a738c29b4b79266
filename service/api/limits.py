"""Request size limits enforced before a body is parsed: a fast 413 instead of reading 100 MB into memory."""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException

JSON_BODY_LIMIT = 256 * 1024  # a question is at most a few thousand characters; chat history adds a little
MULTIPART_OVERHEAD = 1024 * 1024


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {_human(limit)}; send a smaller request or file")


def _human(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


class BodySizeLimit:
    """Pure ASGI middleware: rejects by Content-Length up front and counts streamed bodies as they arrive.

    Uploads (`/v1/documents`, Gradio under `/ui`) may be `upload_limit` bytes; everything else `JSON_BODY_LIMIT`.
    """

    def __init__(self, app: Any, upload_limit: int) -> None:
        self.app = app
        self.upload_limit = upload_limit

    def limit_for(self, path: str) -> int:
        if path.startswith(("/v1/documents", "/ui")):
            return self.upload_limit + MULTIPART_OVERHEAD
        return JSON_BODY_LIMIT

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _reject(send, limit)
            return
        seen = 0
        started = False

        async def counting_receive() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _reject(send, limit)


async def _reject(send: Any, limit: int) -> None:
    message = f"the request body is larger than {_human(limit)}; send a smaller request or file"
    body = json.dumps({"error": {"code": "too_large", "message": message}}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
