"""Prometheus text-format metrics without a client library: counters, histograms, and a timing middleware.

With several workers each process exposes its own numbers (a scrape reaches one of them; their
`policy_process_start_time_seconds` differ).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
Labels = tuple[tuple[str, str], ...]


def _labels(labels: dict[str, str]) -> Labels:
    return tuple(sorted(labels.items()))


def _fmt(labels: Labels, extra: Iterable[tuple[str, str]] = ()) -> str:
    items = list(labels) + list(extra)
    if not items:
        return ""
    escaped = (f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"' for k, v in items)
    return "{" + ",".join(escaped) + "}"


class Metrics:
    """Thread-safe counters and histograms, rendered in the Prometheus exposition format."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._help: dict[str, tuple[str, str]] = {}
        self._counters: dict[str, dict[Labels, float]] = defaultdict(dict)
        self._hist: dict[str, dict[Labels, list[float]]] = defaultdict(dict)  # bucket counts..., sum, count
        self.gauges: dict[str, Callable[[], float]] = {}

    def describe(self, name: str, kind: str, help_text: str) -> None:
        self._help[name] = (kind, help_text)

    def inc(self, name: str, value: float = 1.0, **labels: str) -> None:
        key = _labels(labels)
        with self._lock:
            series = self._counters[name]
            series[key] = series.get(key, 0.0) + value

    def observe(self, name: str, seconds: float, **labels: str) -> None:
        key = _labels(labels)
        with self._lock:
            series = self._hist[name].setdefault(key, [0.0] * (len(LATENCY_BUCKETS) + 2))
            for i, bound in enumerate(LATENCY_BUCKETS):
                if seconds <= bound:
                    series[i] += 1
            series[-2] += seconds
            series[-1] += 1

    def value(self, name: str, **labels: str) -> float:
        """A counter's current value (0 when never incremented); for tests and health pages."""
        with self._lock:
            return self._counters.get(name, {}).get(_labels(labels), 0.0)

    def render(self) -> str:
        lines: list[str] = []
        with self._lock:
            counters = {n: dict(s) for n, s in self._counters.items()}
            hists = {n: {k: list(v) for k, v in s.items()} for n, s in self._hist.items()}
        for name in sorted(set(counters) | set(hists) | set(self.gauges) | set(self._help)):
            kind, help_text = self._help.get(name, ("counter" if name in counters else "gauge", name))
            lines.append(f"# HELP {name} {help_text}")
            lines.append(f"# TYPE {name} {kind}")
            for key, v in sorted(counters.get(name, {}).items()):
                lines.append(f"{name}{_fmt(key)} {v:g}")
            for key, series in sorted(hists.get(name, {}).items()):
                for bound, count in zip(LATENCY_BUCKETS, series, strict=False):
                    lines.append(f"{name}_bucket{_fmt(key, [('le', f'{bound:g}')])} {count:g}")
                lines.append(f"{name}_bucket{_fmt(key, [('le', '+Inf')])} {series[-1]:g}")
                lines.append(f"{name}_sum{_fmt(key)} {series[-2]:.6f}")
                lines.append(f"{name}_count{_fmt(key)} {series[-1]:g}")
            if name in self.gauges:
                lines.append(f"{name} {self.gauges[name]():g}")
        return "\n".join(lines) + "\n"


def resident_memory_bytes() -> float:
    """This process's resident set size from /proc (0 where /proc is not available)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return 0.0


def standard_metrics() -> Metrics:
    m = Metrics()
    m.describe("policy_http_requests_total", "counter", "HTTP requests by method, route template and status")
    m.describe("policy_http_request_duration_seconds", "histogram", "HTTP request latency by route template")
    m.describe("policy_answers_total", "counter", "answers given, by channel and whether the assistant refused")
    m.describe("policy_answer_duration_seconds", "histogram", "time to answer inside the assistant")
    m.describe("policy_refusals_total", "counter", "answers that were refusals (no sufficient evidence)")
    m.describe("policy_generator_errors_total", "counter", "failures of the answer generator or its backends")
    m.describe("policy_rate_limited_total", "counter", "requests refused with 429")
    m.describe("process_resident_memory_bytes", "gauge", "resident memory of this worker")
    m.gauges["process_resident_memory_bytes"] = resident_memory_bytes
    started = time.time()
    m.describe("policy_process_start_time_seconds", "gauge", "when this worker started (unix time)")
    m.gauges["policy_process_start_time_seconds"] = lambda: started
    return m


class MetricsMiddleware:
    """Counts requests and their latency per route template (not per raw path, to keep the series bounded)."""

    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None)
            if path is None:
                path = "/ui" if scope.get("path", "").startswith("/ui") else "other"
            elapsed = time.perf_counter() - started
            self.metrics.inc("policy_http_requests_total", method=scope.get("method", ""), route=path,
                             status=str(status["code"]))
            self.metrics.observe("policy_http_request_duration_seconds", elapsed, route=path)

