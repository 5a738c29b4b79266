"""Several workers against a real `chroma run` server: concurrent uploads, reads that see other workers' writes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.service.apikit import AUTH, STAFF_TOKEN
from tests.ui.liveserver import free_port

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
DOCS = {
    f"rule_{i}.txt": (f"青禾市临江区第{i}号示范管理办法\n\n第一条 为规范第{i}号示范事项，制定本办法。\n\n"
                      f"第二条 第{i}号示范事项的办理时限为{10 + i}个工作日，咨询电话为0595-8800{i}{i}{i}{i}。\n")
    for i in range(1, 5)
}


def _wait(url: str, seconds: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([str(BIN / "chroma"), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(f"http://127.0.0.1:{port}/api/v2/heartbeat", 60, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def service(chroma_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICY_")}
    env |= {"POLICY_DATA_DIR": str(tmp_path_factory.mktemp("workers") / "data"), "POLICY_EMBEDDER": "fake:256",
            "POLICY_CHROMA_URL": chroma_url, "POLICY_STAFF_TOKEN": STAFF_TOKEN, "POLICY_RATE_LIMIT_PER_MINUTE": "0",
            "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen([str(BIN / "policy-assistant"), "serve", "--port", str(port), "--workers", "2", "--no-ui"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait(f"http://127.0.0.1:{port}/healthz", 180, proc)
        yield f"http://127.0.0.1:{port}", proc.pid
    finally:
        _stop(proc)


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


def _vectors_match_registry(base: str) -> tuple[int, int]:
    health = httpx.get(f"{base}/healthz", timeout=30).json()
    docs = httpx.get(f"{base}/v1/documents", headers=AUTH, timeout=30).json()["documents"]
    return health["checks"]["vector_store"]["vectors"], sum(d["n_chunks"] for d in docs)


def test_two_workers_share_one_chroma_server(service: tuple[str, int], chroma_url: str) -> None:
    base, pid = service
    assert len(_children(pid)) >= 2, "uvicorn should have started two worker processes"
    health = httpx.get(f"{base}/healthz", timeout=30).json()
    assert health["checks"]["vector_store"]["location"] == chroma_url

    def upload(item: tuple[str, str]) -> dict:
        name, text = item
        r = httpx.post(f"{base}/v1/documents", headers=AUTH, files=[("files", (name, text.encode(), "text/plain"))],
                       timeout=120)
        assert r.status_code == 200, r.text
        return r.json()["results"][0]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(upload, DOCS.items()))
    assert sorted(r["source"] for r in results) == sorted(DOCS)
    assert all(r["status"] == "added" for r in results)

    for _ in range(4):  # requests land on either worker; each must see every document and every vector
        vectors, chunks = _vectors_match_registry(base)
        assert vectors == chunks > 0
        listed = httpx.get(f"{base}/v1/documents", headers=AUTH, timeout=30).json()
        assert listed["total"] == len(DOCS)

    for i in range(1, 5):
        for _ in range(2):
            body = httpx.post(f"{base}/v1/ask", timeout=60, json={
                "question": f"第{i}号示范事项的办理时限是多少个工作日？", "filters": {"sources": [f"rule_{i}.txt"]}}).json()
            assert not body["refused"], body
            assert f"{10 + i}个工作日" in body["answer"]
            assert {c["doc"] for c in body["citations"]} == {f"rule_{i}.txt"}

    assert httpx.delete(f"{base}/v1/documents/rule_1.txt", headers=AUTH, timeout=60).status_code == 200
    for _ in range(4):
        vectors, chunks = _vectors_match_registry(base)
        assert vectors == chunks
        body = httpx.post(f"{base}/v1/ask", timeout=60, json={
            "question": "第1号示范事项的办理时限是多少个工作日？", "filters": {"sources": ["rule_1.txt"]}}).json()
        assert body["refused"] and not body["citations"]
