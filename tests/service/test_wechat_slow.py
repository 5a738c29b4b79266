"""The WeChat bridge with its real timing defaults and with the real assistant on a sample document."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from fastapi import FastAPI

from service.assistant import Assistant
from service.wechat import create_wechat_router
from tests.conftest import SAMPLE_CORPUS
from tests.service.test_wechat_mp import APP_ID, OPENID, SEND, Rig, make_settings
from tests.service.wechat_helpers import AES_KEY, FakeWeChatAPI, LiveServer, ScriptedAssistant, WeChatPlatform


@pytest.mark.slow
def test_default_timing_replies_success_before_wechat_gives_up(tmp_path: Path) -> None:
    with FakeWeChatAPI() as api:
        settings = make_settings(tmp_path, wechat_reply_wait=4.0, wechat_retry_hold=5.5, wechat_kf_enabled=True,
                                 wechat_app_secret="s3cret", wechat_api_base=api.url)
        rig = Rig(settings, ScriptedAssistant(delay=6.0))
        with rig.live:
            started = time.monotonic()
            response = rig.ask("公积金怎么提取？", 1)
            elapsed = time.monotonic() - started
            assert response.text == "success"
            assert 3.9 <= elapsed < 4.8  # inside WeChat's 5 s, with room for the network
            push = api.wait_for(SEND, 1, timeout=10)[0]["json"]
            assert push["touser"] == OPENID and "1050元" in push["text"]["content"]


@pytest.mark.slow
def test_real_assistant_answers_with_article_citations(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, wechat_reply_wait=4.0)
    assistant = Assistant(settings)
    results = assistant.ingest([SAMPLE_CORPUS / "linjiang_dibao_banfa_2024.txt"])
    assert all(r.ok for r in results)
    assistant.ask("低保")  # warm up (lazy index loading) so the timing below is an answer's, not a cold start's
    app = FastAPI()
    app.include_router(create_wechat_router(settings, lambda: assistant))
    with LiveServer(app) as live:
        wechat = WeChatPlatform(live.url, "tok3n", APP_ID, AES_KEY)
        reply = wechat.reply(wechat.post(wechat.text(OPENID, "低保标准是多少？", 11), encrypt=True))
    content = reply["Content"]
    assert len(content.encode("utf-8")) <= 2048
    assert "**" not in content and "#" not in content
    lines = content.splitlines()
    cited = [line for line in lines if re.fullmatch(r"\[\d\]《临江区最低生活保障审核确认办法》第[一二三四五六七八九十]+条(至第[一二三四五六七八九十]+条)?", line)]
    assert cited, content
    assert "低保" in lines[0] and "（AI生成，仅供参考，以原文为准）" in lines
