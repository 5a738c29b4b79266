"""Health, metrics, rate limiting and error bodies (no stack traces)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.api.ratelimit import RateLimiter
from service.errors import ProviderError
from tests.service import apikit
from tests.service.apikit import AUTH, DIBAO_QUESTION, make_settings

app, client, corpus_assistant = apikit.app, apikit.client, apikit.corpus_assistant  # fixtures


def test_healthz_reports_every_check(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    checks = r.json()["checks"]
    assert set(checks) == {"database", "index", "vector_store", "generator"}
    assert all(c["ok"] for c in checks.values())
    assert checks["index"]["documents"] == 9


def test_healthz_is_503_when_the_vector_store_fails(client: TestClient, corpus_assistant,  # noqa: ANN001
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def down() -> int:
        raise ConnectionError("chroma unreachable")

    monkeypatch.setattr(corpus_assistant.index.store, "count", down)
    r = client.get("/healthz")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "degraded" and body["checks"]["vector_store"]["ok"] is False
    assert "chroma unreachable" in body["checks"]["vector_store"]["error"]
    assert body["checks"]["database"]["ok"] is True


def test_metrics_count_requests_answers_and_refusals(client: TestClient) -> None:
    client.post("/v1/ask", json={"question": DIBAO_QUESTION})
    client.post("/v1/ask", json={"question": "2030年个税起征点是多少"})
    client.post("/v1/ask", json={})
    text = client.get("/metrics").text
    assert re.search(r'policy_http_requests_total\{method="POST",route="/v1/ask",status="200"\} [1-9]', text)
    assert re.search(r'policy_http_requests_total\{method="POST",route="/v1/ask",status="422"\} [1-9]', text)
    assert re.search(r'policy_answers_total\{channel="api",refused="true"\} [1-9]', text)
    assert re.search(r'policy_http_request_duration_seconds_bucket\{route="/v1/ask",le="\+Inf"\} [1-9]', text)
    assert re.search(r"process_resident_memory_bytes [1-9]", text)
    assert "# TYPE policy_generator_errors_total counter" in text


def test_burst_gets_429_with_retry_after(tmp_path: Path, corpus_assistant) -> None:  # noqa: ANN001
    limited = create_app(make_settings(tmp_path, rate_limit_per_minute=6, rate_limit_burst=3),
                         assistant=corpus_assistant)
    with TestClient(limited) as c:
        codes = [c.post("/v1/ask", json={"question": "低保标准"}).status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        r = c.post("/v1/ask", json={"question": "低保标准"})
        assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(r.headers["retry-after"]) <= 10
        assert c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "低保"}]}).status_code == 429
        assert c.get("/v1/documents", headers=AUTH).status_code == 200  # staff are not rate limited
        assert limited.state.context.metrics.value("policy_rate_limited_total") == 2


def test_rate_limiter_refills_over_time() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    assert limiter.acquire("a") == 0 and limiter.acquire("a") == 0
    wait = limiter.acquire("a")
    assert wait == pytest.approx(1.0)
    assert limiter.acquire("b") == 0  # other clients have their own bucket
    now[0] += 1.0
    assert limiter.acquire("a") == 0
    assert RateLimiter(per_minute=0, burst=1).acquire("a") == 0  # 0 = off


class BrokenAssistant:
    def __init__(self, exc: Exception, real) -> None:  # noqa: ANN001
        self.exc = exc
        self.observers: list = []
        self.index = real.index
        self.answerer = real.answerer

    def ask(self, question: str, filters=None):  # noqa: ANN001, ANN201
        raise self.exc


def test_unexpected_errors_are_json_without_a_trace(tmp_path: Path, corpus_assistant) -> None:  # noqa: ANN001
    broken = BrokenAssistant(RuntimeError("secret detail at /srv/policy/extractive.py line 99"), corpus_assistant)
    with TestClient(create_app(make_settings(tmp_path), assistant=broken), raise_server_exceptions=False) as c:
        r = c.post("/v1/ask", json={"question": "低保"})
    assert r.status_code == 500
    assert r.json() == {"error": {"code": "internal_error", "message": r.json()["error"]["message"]}}
    assert "secret" not in r.text and "Traceback" not in r.text


def test_backend_failure_is_503_and_counted(tmp_path: Path, corpus_assistant) -> None:  # noqa: ANN001
    broken = BrokenAssistant(ProviderError("the language model at 127.0.0.1:8080 timed out"), corpus_assistant)
    failing = create_app(make_settings(tmp_path), assistant=broken)
    with TestClient(failing) as c:
        r = c.post("/v1/ask", json={"question": "低保"})
    assert r.status_code == 503 and r.json()["error"]["code"] == "backend_unavailable"
    assert failing.state.context.metrics.value("policy_generator_errors_total", error="ProviderError") == 1


def test_unknown_endpoint_and_method(client: TestClient) -> None:
    r = client.get("/v1/nothing-here")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert client.get("/v1/ask").status_code == 405


def test_openapi_documents_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/ask", "/v1/chat/completions", "/v1/documents", "/v1/documents/{doc_id}", "/v1/reindex",
                 "/v1/search", "/v1/feedback", "/v1/audit/export", "/healthz", "/metrics"):
        assert path in paths
    assert client.get("/docs").status_code == 200
