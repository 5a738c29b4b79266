"""What every generator provides, and the one place where timeouts and retries are enforced.

A generator turns chat messages into a stream of text pieces. It knows nothing of sources or verification; it may
raise anything. `call_model` runs it under a wall-clock deadline (in a worker thread, so that a model that stops
sending cannot hold the caller) and retries a call that failed before its first piece.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from typing import Protocol, TypedDict, runtime_checkable

log = logging.getLogger(__name__)


class ChatMessage(TypedDict):
    role: str  # system | user | assistant
    content: str


@runtime_checkable
class Generator(Protocol):
    """A language model behind one interface. `name` is the `provider:model` string it was made from."""

    name: str
    model: str

    def stream(self, messages: list[ChatMessage], max_tokens: int) -> Iterator[str]:
        """Text pieces as the model writes them; may raise anything (`call_model` makes it GenerationFailed)."""
        ...


class GenerationFailed(Exception):  # noqa: N818 - it is an outcome the answerer handles, not a bug
    """The model did not produce a usable reply: `reason` is timeout | error | empty."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


_DONE = object()


def _produce(gen: Generator, messages: list[ChatMessage], max_tokens: int, out: queue.Queue, stop: threading.Event
             ) -> None:
    pieces = None
    try:
        pieces = gen.stream(messages, max_tokens)
        for piece in pieces:
            if stop.is_set():
                break
            out.put(piece)
        out.put(_DONE)
    except BaseException as exc:  # handed to the consumer, which decides
        out.put(exc)
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            try:
                close()  # closes the HTTP stream, or stops a local model, when the consumer gave up
            except Exception:  # noqa: BLE001 - nothing left to report to
                log.debug("closing a model stream failed", exc_info=True)


def _attempt(gen: Generator, messages: list[ChatMessage], max_tokens: int, timeout: float) -> Iterator[str]:
    out: queue.Queue = queue.Queue()
    stop = threading.Event()
    worker = threading.Thread(target=_produce, args=(gen, messages, max_tokens, out, stop), daemon=True)
    deadline = time.monotonic() + timeout
    worker.start()
    try:
        while True:
            remaining = deadline - time.monotonic()
            try:
                item = out.get(timeout=max(remaining, 0.001))
            except queue.Empty:
                raise GenerationFailed("timeout", f"no complete reply within {timeout:g}s") from None
            if item is _DONE:
                return
            if isinstance(item, GenerationFailed):
                raise item
            if isinstance(item, BaseException):
                reason = "timeout" if "timeout" in type(item).__name__.lower() else "error"
                raise GenerationFailed(reason, f"{type(item).__name__}: {item}") from item
            if item:
                yield str(item)
    finally:
        stop.set()


def call_model(
    gen: Generator, messages: list[ChatMessage], *, max_tokens: int, timeout: float, retries: int = 1,
    backoff: float = 0.5,
) -> Iterator[str]:
    """The model's text pieces, each attempt bounded by `timeout` seconds.

    A failure before the first piece is retried up to `retries` times; a failure after it is not (the caller has
    already shown text). Raises GenerationFailed (timeout | error | empty) when no attempt succeeds.
    """
    for attempt in range(retries + 1):
        started = False
        try:
            for piece in _attempt(gen, messages, max_tokens, timeout):
                started = True
                yield piece
            if not started:
                raise GenerationFailed("empty", "the model returned no text")
            return
        except GenerationFailed as exc:
            if started or attempt == retries:
                raise
            log.warning("model call failed, retrying", extra={"reason": exc.reason, "attempt": attempt + 1})
            time.sleep(backoff * (attempt + 1))
