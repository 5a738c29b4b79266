"""企业微信 endpoint with WECHAT.md's vectors sent to the real endpoint, pushes checked on a fake API server;
plus which endpoints are on for which settings.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.settings import Settings
from service.wechat import create_wechat_router
from service.wechat.config import WeChatConfigError
from service.wechat.crypto import MsgCrypt
from service.wechat.reply import PLEASE_SEND_TEXT
from tests.service.test_wechat_crypto import WECOM_ECHOSTR, WECOM_ENCRYPT, WECOM_KEY
from tests.service.wechat_helpers import AES_KEY, FakeWeChatAPI, LiveServer, ScriptedAssistant, WeChatPlatform

CORP_ID = "wx49f0ab532d5d035a"
SEND = "/cgi-bin/message/send"


def wecom_settings(tmp_path: Path, api: str = "http://127.0.0.1:9", **extra: Any) -> Settings:
    values: dict[str, Any] = dict(
        data_dir=tmp_path / "data", embedder="fake:256", wecom_corp_id=CORP_ID, wecom_agent_id=1, wecom_token="123456",
        wecom_aes_key=WECOM_KEY, wecom_secret="corp-s3cret", wecom_api_base=api, wechat_rate_per_minute=0,
    )
    return Settings(_env_file=None, **(values | extra))  # type: ignore[call-arg]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Any]:
    with FakeWeChatAPI() as api:
        assistant = ScriptedAssistant(delay=1.5)
        app = FastAPI()
        app.include_router(create_wechat_router(wecom_settings(tmp_path, api.url), lambda: assistant))
        with LiveServer(app) as live:
            yield live, api, assistant


def test_wecom_url_verification_returns_the_decrypted_echostr(served: Any) -> None:
    live, _, _ = served
    query = {"msg_signature": "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96", "timestamp": "1411443780",
             "nonce": "437374425", "echostr": WECOM_ECHOSTR}
    ok = httpx.get(f"{live.url}/wechat/work", params=query, trust_env=False)
    assert (ok.status_code, ok.text) == (200, "5927782489442352469")
    bad = httpx.get(f"{live.url}/wechat/work", params=query | {"nonce": "437374424"}, trust_env=False)
    assert bad.status_code == 403


def test_wecom_message_answers_at_once_and_pushes_the_reply(served: Any) -> None:
    live, api, assistant = served
    query = {"msg_signature": "74d92dfeb87ba7c714f89d98870ae5eb62dff26d", "timestamp": "1411525903",
             "nonce": "461056294"}
    body = (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><AgentID><![CDATA[1]]></AgentID>"
            f"<Encrypt><![CDATA[{WECOM_ENCRYPT}]]></Encrypt></xml>")
    started = time.monotonic()
    response = httpx.post(f"{live.url}/wechat/work", params=query, content=body, trust_env=False)
    assert (response.status_code, response.text) == (200, "")
    assert time.monotonic() - started < 1.5  # before the (1.5 s) answer exists
    retry = httpx.post(f"{live.url}/wechat/work", params=query, content=body, trust_env=False)
    assert retry.status_code == 200
    pushes = api.wait_for(SEND, 1)
    time.sleep(0.3)
    assert len(api.sent(SEND)) == 1 and [c["question"] for c in assistant.calls] == ["test"]
    push = pushes[0]["json"]
    assert set(push) == {"touser", "msgtype", "agentid", "text", "safe"}
    assert (push["touser"], push["msgtype"], push["agentid"], push["safe"]) == ("messense", "text", 1, 0)
    assert push["text"]["content"].startswith("现行城乡低保标准为每人每月1050元[1]。")
    token = api.sent("/cgi-bin/gettoken")
    assert len(token) == 1 and token[0]["query"] == {"corpid": CORP_ID, "corpsecret": "corp-s3cret"}
    assert pushes[0]["query"]["access_token"] == "TOKEN1"

    tampered = httpx.post(f"{live.url}/wechat/work", params=query | {"nonce": "1"}, content=body, trust_env=False)
    assert tampered.status_code == 403


def test_wecom_non_text_message_gets_a_polite_push(served: Any) -> None:
    live, api, assistant = served
    crypt = MsgCrypt("123456", WECOM_KEY, CORP_ID)
    inner = ("<xml><ToUserName>wx49f0ab532d5d035a</ToUserName><FromUserName>zhangsan</FromUserName>"
             "<CreateTime>1</CreateTime><MsgType>image</MsgType><MsgId>99</MsgId><AgentID>1</AgentID></xml>")
    encrypted = crypt.encrypt(inner)
    query = {"msg_signature": crypt.sign("1", "2", encrypted), "timestamp": "1", "nonce": "2"}
    response = httpx.post(f"{live.url}/wechat/work", params=query, content=f"<xml><Encrypt>{encrypted}</Encrypt></xml>",
                          trust_env=False)
    assert response.status_code == 200
    push = api.wait_for(SEND, 1)[0]["json"]
    assert (push["touser"], push["text"]["content"]) == ("zhangsan", PLEASE_SEND_TEXT)
    assert assistant.calls == []


def test_endpoints_are_off_unless_configured(tmp_path: Path) -> None:
    bare = Settings(_env_file=None, data_dir=tmp_path / "d")  # type: ignore[call-arg]
    assert create_wechat_router(bare, ScriptedAssistant).routes == []
    mp_only = Settings(_env_file=None, data_dir=tmp_path / "d", wechat_token="t")  # type: ignore[call-arg]
    app = FastAPI()
    app.include_router(create_wechat_router(mp_only, ScriptedAssistant))
    client = TestClient(app)
    assert client.get("/wechat/work").status_code == 404
    assert client.get("/wechat/mp").status_code == 400  # on, and asking for its parameters
    assert client.get("/wechat/answers/x").status_code == 404  # no public base URL: no answer pages


@pytest.mark.parametrize(("extra", "message"), [
    ({"wecom_corp_id": CORP_ID, "wecom_token": "t"}, "POLICY_WECOM_AGENT_ID, POLICY_WECOM_AES_KEY, POLICY_WECOM_SECRET"),
    ({"wechat_token": "t", "wechat_app_id": "wx1", "wechat_aes_key": "short"}, "43-character"),
    ({"wechat_token": "t", "wechat_aes_key": AES_KEY}, "POLICY_WECHAT_APP_ID"),
    ({"wechat_token": "t", "wechat_app_id": "wx1", "wechat_kf_enabled": True}, "POLICY_WECHAT_APP_SECRET"),
])
def test_incomplete_settings_say_what_to_set(tmp_path: Path, extra: dict[str, Any], message: str) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "d", **extra)  # type: ignore[call-arg]
    with pytest.raises(WeChatConfigError, match=message):
        create_wechat_router(settings, ScriptedAssistant)


def test_mounted_in_the_service_app_when_configured(tmp_path: Path) -> None:
    from service.api.app import create_app

    assistant = ScriptedAssistant()
    on = Settings(_env_file=None, data_dir=tmp_path / "on", dev_mode=True, wechat_token="tok3n")  # type: ignore[call-arg]
    client = TestClient(create_app(on, assistant=assistant))
    platform = WeChatPlatform("", "tok3n")
    platform.http = client  # type: ignore[assignment]  # same requests, through the ASGI app
    reply = platform.reply(platform.post(platform.text("oUSER", "低保标准是多少？", 42)))
    assert reply["Content"].startswith("现行城乡低保标准为每人每月1050元[1]。")
    audited = client.app.state.context.db.query("SELECT channel FROM audit")  # type: ignore[attr-defined]
    assert [r["channel"] for r in audited] == ["wechat-mp"]
    off = Settings(_env_file=None, data_dir=tmp_path / "off", dev_mode=True)  # type: ignore[call-arg]
    assert TestClient(create_app(off, assistant=ScriptedAssistant())).post("/wechat/mp").status_code == 404
