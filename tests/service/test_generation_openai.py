"""The openai: generator over real HTTP, against a scripted OpenAI-compatible stub on 127.0.0.1.

(The slow end-to-end test runs a real model server; this one checks the wire details quickly: streaming, the
request the SDK sends, timeouts and bounded retries.)
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from service.extractive import ExtractiveAnswerer
from service.generation.grounded import NOTICE_MODEL_FAILED, GroundedAnswerer
from service.generation.providers import make_generator
from service.generation.verify import CitationVerifier
from tests.service.generation_helpers import default_hits

QUESTION = "临江区低保标准是多少？"
REPLY = "现行低保标准为每人每月1050元[1]。另外每月还有300元补贴[1]。"


class Stub:
    """What the stub server answers: `status`, `delay` seconds before answering, and the reply text."""

    def __init__(self) -> None:
        self.status = 200
        self.delay = 0.0
        self.reply = REPLY
        self.requests: list[dict[str, Any]] = []


def _handler(stub: Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client that gave up (timeout test)
                self._answer(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))

        def _answer(self, body: dict[str, Any]) -> None:
            stub.requests.append(body)
            time.sleep(stub.delay)
            if stub.status != 200:
                self.send_response(stub.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"error": {"message": "overloaded"}}')
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for i in range(0, len(stub.reply), 4):
                chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                         "choices": [{"index": 0, "delta": {"content": stub.reply[i : i + 4]}, "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")

    return Handler


@pytest.fixture
def stub() -> Iterator[tuple[Stub, str]]:
    state = Stub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


EXTRACTIVE = ExtractiveAnswerer()


def answerer(url: str, timeout: float = 10.0, retries: int = 0) -> GroundedAnswerer:
    gen = make_generator("openai:qwen-test", base_url=url, timeout=timeout, max_tokens=77)
    return GroundedAnswerer(EXTRACTIVE, gen, verifier=CitationVerifier(0.3), timeout=timeout, max_tokens=77,
                            retries=retries)


def test_answers_stream_over_http_and_are_verified(stub: tuple[Stub, str]) -> None:
    state, url = stub
    events = list(answerer(url).stream(QUESTION, default_hits()))
    tokens = [v for k, v in events if k == "token"]
    assert len(tokens) > 3 and "".join(tokens) == REPLY
    final = events[-1][1]
    assert final.answer == "现行低保标准为每人每月1050元[1]。" and final.generator == "openai:qwen-test"
    (request,) = state.requests
    assert request["model"] == "qwen-test" and request["stream"] is True
    assert request["max_tokens"] == 77  # the field every OpenAI-compatible server reads
    assert [m["role"] for m in request["messages"]] == ["system", "user"]
    assert "<资料 编号=\"1\">" in request["messages"][1]["content"]


def test_a_slow_server_times_out_to_the_extractive_answer(stub: tuple[Stub, str]) -> None:
    state, url = stub
    state.delay = 3.0
    started = time.perf_counter()
    answer = answerer(url, timeout=0.5).run(QUESTION, default_hits())
    assert time.perf_counter() - started < 2.5
    assert answer.notice == NOTICE_MODEL_FAILED and answer.generator == "extractive"


def test_server_errors_are_retried_a_bounded_number_of_times(stub: tuple[Stub, str]) -> None:
    state, url = stub
    state.status = 503
    answer = answerer(url, retries=2).run(QUESTION, default_hits())
    assert len(state.requests) == 3  # one call and two retries; the SDK's own retries are off
    assert answer.notice == NOTICE_MODEL_FAILED and not answer.refused
