"""Test doubles for the WeChat bridge: a scripted assistant and the constants the tests share. The WeChat-side
simulators (platform, fake API server, live server) live in `service.wechat.testing`, shared with the benchmark.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from service.answers import Answer, Citation
from service.wechat.testing import FakeWeChatAPI, LiveServer, WeChatPlatform

__all__ = ["AES_KEY", "CITATION", "FakeWeChatAPI", "LiveServer", "ScriptedAssistant", "WeChatPlatform"]

TITLE = "青禾市临江区人民政府关于印发《临江区最低生活保障审核确认办法》的通知"
CITATION = Citation(
    n=1, doc="linjiang_dibao_banfa_2024.txt", title=TITLE, doc_number="临政规〔2024〕3号", issued="2024-03-01",
    validity="现行有效", heading="第二章　申请条件和保障标准 > 第八条", quote="第八条　低保金按照差额发放。",
    start=0, end=14, chunk_id="c0ffee",
)
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


class ScriptedAssistant:
    """Answers every question with `text` after `delay` seconds and records each call (thread-safe)."""

    def __init__(self, text: str = "现行城乡低保标准为每人每月1050元[1]。", delay: float = 0.0) -> None:
        self.text = text
        self.delay = delay
        self.calls: list[dict[str, Any]] = []
        self.observers: list[Any] = []
        self._lock = threading.Lock()

    def ask(self, question: str, filters: Any = None, conversation_id: str | None = None) -> Answer:
        with self._lock:
            self.calls.append({"question": question, "conversation_id": conversation_id})
        time.sleep(self.delay)
        answer = Answer(question=question, answer=self.text, refused=False, citations=[CITATION])
        for observe in self.observers:
            observe(answer)
        return answer
