"""Citizen endpoints: ask (JSON or SSE), feedback, and the OpenAI-compatible chat completions."""

from __future__ import annotations

import hashlib
import itertools
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from service.api.context import AskResult, ServiceContext
from service.api.deps import Context, Limited, client_key
from service.api.schemas import AskRequest, AskResponse, ChatCompletionRequest, FeedbackRequest
from service.api.sse import SSE_HEADERS, sse

router = APIRouter(prefix="/v1", tags=["citizen"])


@router.post("/ask", response_model=AskResponse, dependencies=[Limited],
             responses={200: {"content": {"text/event-stream": {}}, "description": "JSON, or SSE when stream=true"}})
def ask(body: AskRequest, ctx: Context) -> Any:
    """Answer a question from the indexed policy documents, citing each sentence, or refuse.

    With `"stream": true` the reply is a text/event-stream: `start` (ids), `delta` events with the text as it
    is written (unverified), and a final `answer` event with the verified answer object (same shape as the JSON
    reply), whose text replaces the deltas.
    """
    filters = body.filters.to_search() if body.filters else None
    if not body.stream:
        return ctx.ask(body.question, channel="api", conversation_id=body.conversation_id, filters=filters).to_dict()
    cid = body.conversation_id or uuid.uuid4().hex
    events = ctx.ask_events(body.question, channel="api", conversation_id=cid, filters=filters)
    first = next(events)  # errors surface here, as a JSON error response
    return StreamingResponse(_ask_events(cid, itertools.chain([first], events)), media_type="text/event-stream",
                             headers=SSE_HEADERS)


def _ask_events(conversation_id: str, events: Iterator[tuple[str, Any]]) -> Iterator[str]:
    yield sse({"conversation_id": conversation_id}, event="start")
    for kind, value in events:
        if kind == "token":
            yield sse({"text": value}, event="delta")
        else:
            yield sse(value.to_dict(), event="answer")


@router.post("/feedback", dependencies=[Limited])
def feedback(body: FeedbackRequest, ctx: Context) -> dict[str, Any]:
    """Rate an answer (up/down) with an optional comment; personal data in the comment is redacted."""
    ctx.feedback(body.answer_id, body.score, body.comment)
    return {"ok": True, "answer_id": body.answer_id}


@router.post("/chat/completions", dependencies=[Limited], tags=["openai"],
             responses={200: {"content": {"text/event-stream": {}}}})
def chat_completions(body: ChatCompletionRequest, request: Request, ctx: Context) -> Any:
    """OpenAI-compatible chat: the last user message is the question; sources are listed in the text and
    given as structured `citations`. Streaming sends the verified answer only (chat clients cannot replace text).

    Follow-ups: `conversation_id` (an extension) names the conversation; without it, one is derived from the
    client and the conversation's first user message, so a client resending the history continues it.
    """
    filters = body.filters.to_search() if body.filters else None
    cid = body.conversation_id or _derived_conversation(client_key(request), body)
    result = ctx.ask(body.question, channel="openai", conversation_id=cid, filters=filters)
    created = int(time.time())
    completion_id = f"chatcmpl-{result.answer_id}"
    extra = _extras(result)
    if body.stream:
        return StreamingResponse(_chat_events(ctx, result, completion_id, created, body.model, extra),
                                 media_type="text/event-stream", headers=SSE_HEADERS)
    return {
        "id": completion_id, "object": "chat.completion", "created": created, "model": body.model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": result.answer.render_text()},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    } | extra


def _derived_conversation(client: str, body: ChatCompletionRequest) -> str:
    first = next(m.text for m in body.messages if m.role == "user" and m.text.strip())
    return "oa-" + hashlib.sha256(f"{client}\x00{first}".encode()).hexdigest()[:24]


def _extras(result: AskResult) -> dict[str, Any]:
    return {
        "citations": [asdict(c) for c in result.answer.citations],
        "refused": result.answer.refused,
        "answer_id": result.answer_id,
        "conversation_id": result.conversation_id,
    }


def _chat_events(ctx: ServiceContext, result: AskResult, completion_id: str, created: int, model: str,
                 extra: dict[str, Any]) -> Iterator[str]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    yield sse(chunk({"role": "assistant", "content": ""}))
    text = result.answer.render_text()
    answer_len = len(result.answer.answer)
    for piece in ctx.stream_pieces(result):
        yield sse(chunk({"content": piece}))
    if len(text) > answer_len:
        yield sse(chunk({"content": text[answer_len:]}))
    yield sse(chunk({}, "stop") | extra)
    yield sse("[DONE]")
