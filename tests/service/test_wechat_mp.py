"""公众号 endpoint, end to end: a simulated WeChat platform sends signed (and encrypted) XML to the real
endpoint served by uvicorn on 127.0.0.1; a fake WeChat API server receives the pushed messages.
"""

from __future__ import annotations

import sqlite3
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from service.audit import AuditLog
from service.db import Database
from service.settings import Settings
from service.wechat import create_wechat_router
from service.wechat.reply import (
    HELD_NOTE,
    MAX_BYTES,
    MORE_HINT,
    PENDING,
    PLEASE_SEND_TEXT,
    RATE_LIMITED,
    TRUNCATED,
    WELCOME,
)
from tests.service.wechat_helpers import AES_KEY, FakeWeChatAPI, LiveServer, ScriptedAssistant, WeChatPlatform

TOKEN = "tok3n"
APP_ID = "wx0123456789abcdef"
OPENID = "oUSER_0123456789abcdefghijkl"
SEND = "/cgi-bin/message/custom/send"


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(
        data_dir=tmp_path / "data", embedder="fake:256", wechat_token=TOKEN, wechat_app_id=APP_ID,
        wechat_aes_key=AES_KEY, wechat_reply_wait=0.6, wechat_retry_hold=0.8, wechat_rate_per_minute=0,
    )
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class Rig:
    """The app with the WeChat router on a live server, its scripted assistant, and the simulated platform."""

    def __init__(self, settings: Settings, assistant: ScriptedAssistant, db: Database | None = None) -> None:
        self.settings = settings
        self.assistant = assistant
        app = FastAPI()
        app.include_router(create_wechat_router(settings, lambda: assistant, db=db))
        self.live = LiveServer(app)
        self.wechat = WeChatPlatform(self.live.url, TOKEN, APP_ID, AES_KEY)

    def ask(self, content: str, msg_id: int, openid: str = OPENID, encrypt: bool = True) -> Any:
        return self.wechat.post(self.wechat.text(openid, content, msg_id), encrypt=encrypt)


@pytest.fixture
def fake_api() -> Iterator[FakeWeChatAPI]:
    with FakeWeChatAPI() as api:
        yield api


@pytest.fixture
def rig_factory(tmp_path: Path) -> Iterator[Any]:
    started: list[LiveServer] = []

    def make(assistant: ScriptedAssistant | None = None, db: Database | None = None, **overrides: Any) -> Rig:
        rig = Rig(make_settings(tmp_path, **overrides), assistant or ScriptedAssistant(), db)
        started.append(rig.live.__enter__())
        return rig

    yield make
    for live in started:
        live.__exit__(None, None, None)


def test_url_verification_echoes_plain_text_and_refuses_bad_signatures(rig_factory: Any) -> None:
    rig = rig_factory(wechat_token="test", wechat_aes_key=None)
    query = {"signature": "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff", "timestamp": "1410685589", "nonce": "test",
             "echostr": "5837397520665436492"}
    ok = rig.wechat.http.get(f"{rig.live.url}/wechat/mp", params=query)
    assert (ok.status_code, ok.text) == (200, "5837397520665436492")
    assert ok.headers["content-type"].startswith("text/plain")
    bad = rig.wechat.http.get(f"{rig.live.url}/wechat/mp", params=query | {"signature": query["signature"][:-1] + "0"})
    assert bad.status_code == 403
    missing = rig.wechat.http.get(f"{rig.live.url}/wechat/mp", params={"echostr": "1"})
    assert missing.status_code == 400


def test_plaintext_message_is_answered_passively_with_a_citation(rig_factory: Any) -> None:
    rig = rig_factory(wechat_aes_key=None, wechat_app_id=None)
    response = rig.ask("低保标准是多少？", 1001, encrypt=False)
    reply = rig.wechat.reply(response)
    assert (reply["ToUserName"], reply["FromUserName"], reply["MsgType"]) == (OPENID, "gh_account", "text")
    assert reply["Content"].startswith("现行城乡低保标准为每人每月1050元[1]。")
    assert "[1]《临江区最低生活保障审核确认办法》第八条" in reply["Content"].splitlines()
    assert rig.assistant.calls[0]["question"] == "低保标准是多少？"


def test_safe_mode_message_gets_an_encrypted_signed_reply(rig_factory: Any) -> None:
    rig = rig_factory()
    response = rig.ask("低保标准是多少？", 1002)
    assert "<Encrypt>" in response.text and "低保" not in response.text  # nothing in clear
    reply = rig.wechat.reply(response)  # checks MsgSignature, decrypts, checks the AppID
    assert reply["ToUserName"] == OPENID and "1050元" in reply["Content"]
    tampered = rig.wechat.post(rig.wechat.text(OPENID, "x", 1003), encrypt=True, msg_signature="0" * 40)
    assert tampered.status_code == 403
    other_app = WeChatPlatform(rig.live.url, TOKEN, "wxOTHERAPP", AES_KEY)
    assert other_app.post(other_app.text(OPENID, "x", 1004), encrypt=True).status_code == 403
    assert len(rig.assistant.calls) == 1


def test_events_and_other_message_types(rig_factory: Any) -> None:
    rig = rig_factory()
    subscribe = (f"<xml><ToUserName>gh_account</ToUserName><FromUserName>{OPENID}</FromUserName><CreateTime>1</CreateTime>"
                 "<MsgType>event</MsgType><Event>subscribe</Event></xml>")
    assert rig.wechat.reply(rig.wechat.post(subscribe, encrypt=True))["Content"] == WELCOME
    image = (f"<xml><ToUserName>gh_account</ToUserName><FromUserName>{OPENID}</FromUserName><CreateTime>1</CreateTime>"
             "<MsgType>image</MsgType><PicUrl>http://x/1.jpg</PicUrl><MsgId>77</MsgId></xml>")
    assert rig.wechat.reply(rig.wechat.post(image, encrypt=True))["Content"] == PLEASE_SEND_TEXT
    unsubscribe = subscribe.replace("subscribe", "unsubscribe")
    assert rig.wechat.post(unsubscribe, encrypt=True).text == "success"
    assert rig.assistant.calls == []


def test_three_concurrent_retries_on_two_workers_compute_one_answer(rig_factory: Any, tmp_path: Path) -> None:
    assistant = ScriptedAssistant(delay=0.3)
    first = rig_factory(assistant, db=Database(tmp_path / "shared.sqlite3"))
    second = rig_factory(assistant, db=Database(tmp_path / "shared.sqlite3"))  # another process's connection
    xml = first.wechat.text(OPENID, "低保标准是多少？", 6054768590064713728)
    targets = [first.live.url, second.live.url, first.live.url]
    with ThreadPoolExecutor(3) as pool:
        responses = list(pool.map(lambda url: first.wechat.post(xml, encrypt=True, url=url), targets))
    contents = [first.wechat.reply(r)["Content"] for r in responses]
    assert len(assistant.calls) == 1
    assert all("1050元" in c for c in contents) and len(set(contents)) == 1


def test_slow_answer_replies_success_then_pushes_through_customer_service(rig_factory: Any, fake_api: FakeWeChatAPI) -> None:
    assistant = ScriptedAssistant(delay=1.5)
    rig = rig_factory(assistant, wechat_kf_enabled=True, wechat_app_secret="s3cret", wechat_api_base=fake_api.url,
                      wechat_reply_wait=0.3)
    started = time.monotonic()
    response = rig.ask("公积金怎么提取？", 2001)
    assert (response.status_code, response.text) == (200, "success")
    assert time.monotonic() - started < 1.2  # answered before the answer existed
    retry = rig.ask("公积金怎么提取？", 2001)  # a retry after our late `success`
    assert retry.text == "success"
    pushes = fake_api.wait_for(SEND, 1)
    assert len(pushes) == 1
    body = pushes[0]["json"]
    assert set(body) == {"touser", "msgtype", "text"}
    assert (body["touser"], body["msgtype"]) == (OPENID, "text")
    assert body["text"]["content"].startswith("现行城乡低保标准为每人每月1050元[1]。")
    assert "低保".encode() in pushes[0]["raw"]  # UTF-8, not \\u escapes (WeChat would show them raw)
    assert pushes[0]["query"]["access_token"] == "TOKEN1"
    token_requests = fake_api.sent("/cgi-bin/token")
    assert token_requests[0]["query"] == {"grant_type": "client_credential", "appid": APP_ID, "secret": "s3cret"}
    time.sleep(0.3)
    assert len(fake_api.sent(SEND)) == 1 and len(assistant.calls) == 1


def test_slow_answer_without_customer_service_waits_for_the_next_message(rig_factory: Any) -> None:
    assistant = ScriptedAssistant(delay=1.2)
    rig = rig_factory(assistant, wechat_reply_wait=0.2, wechat_retry_hold=0.3)
    started = time.monotonic()
    assert rig.ask("临时救助怎么申请？", 3001).text == ""  # held past WeChat's timeout: WeChat retries
    assert time.monotonic() - started >= 0.3
    assert rig.ask("临时救助怎么申请？", 3001).text == ""
    third = rig.wechat.reply(rig.ask("临时救助怎么申请？", 3001))
    assert third["Content"] == PENDING
    time.sleep(1.3)
    served = rig.wechat.reply(rig.ask("好了吗", 3002))["Content"]
    assert served.startswith(HELD_NOTE + "现行城乡低保标准为每人每月1050元[1]。")
    assert [c["question"] for c in assistant.calls] == ["临时救助怎么申请？"]
    assistant.delay = 0.0
    normal = rig.wechat.reply(rig.ask("低保标准是多少？", 3003))["Content"]
    assert not normal.startswith(HELD_NOTE) and "1050元" in normal  # nothing held any more: answered normally
    assert len(assistant.calls) == 2


def test_long_answer_is_split_and_the_rest_pushed(rig_factory: Any, fake_api: FakeWeChatAPI) -> None:
    long_text = "".join(f"第{i}项：申请人应当提交身份证明、户口簿和收入证明等材料。" for i in range(120))
    assistant = ScriptedAssistant(text=long_text)
    rig = rig_factory(assistant, wechat_kf_enabled=True, wechat_app_secret="s3cret", wechat_api_base=fake_api.url)
    first = rig.wechat.reply(rig.ask("需要什么材料？", 4001))["Content"]
    pushes = fake_api.wait_for(SEND, 4)
    time.sleep(0.2)
    parts = [first] + [p["json"]["text"]["content"] for p in fake_api.sent(SEND)]
    assert len(parts) == 5  # ~10 KB of text: cut to WeChat's five messages
    assert all(len(p.encode("utf-8")) <= MAX_BYTES for p in parts)
    assert all(p["json"]["touser"] == OPENID for p in pushes)
    assert parts[-1].endswith(TRUNCATED)
    assert long_text.startswith("".join(parts).removesuffix(TRUNCATED))  # in order, nothing lost or doubled


def test_long_answer_without_customer_service_is_served_part_by_part(rig_factory: Any) -> None:
    long_text = "".join(f"第{i}项：申请人应当提交身份证明、户口簿和收入证明等材料。" for i in range(60))
    rig = rig_factory(ScriptedAssistant(text=long_text))
    first = rig.wechat.reply(rig.ask("需要什么材料？", 5001))["Content"]
    assert first.endswith(MORE_HINT) and len(first.encode()) <= MAX_BYTES
    second = rig.wechat.reply(rig.ask("继续", 5002))["Content"]
    assert len(second.encode()) <= MAX_BYTES
    assert second.endswith(MORE_HINT)  # ~5 KB: a third part follows
    assert long_text.startswith(first.removesuffix(MORE_HINT) + second.removesuffix(MORE_HINT))
    assert len(rig.assistant.calls) == 1


def test_reply_content_cannot_inject_xml(rig_factory: Any) -> None:
    evil = "答复]]></Content><MsgType><![CDATA[image]]></MsgType><Content><![CDATA[x"
    rig = rig_factory(ScriptedAssistant(text=evil), wechat_aes_key=None, wechat_app_id=None)
    root = ET.fromstring(rig.ask("q", 6001, encrypt=False).content)
    assert [e.tag for e in root].count("MsgType") == 1 and root.findtext("MsgType") == "text"
    assert root.findtext("Content", "").startswith(evil)


def test_doctype_and_oversized_bodies_are_refused_with_4xx(rig_factory: Any) -> None:
    rig = rig_factory()
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            f"<xml><FromUserName>{OPENID}</FromUserName><MsgType>text</MsgType><Content>&lol2;</Content></xml>")
    assert rig.wechat.post(bomb).status_code == 400
    assert rig.wechat.post(bomb, encrypt=True).status_code == 400  # inside the ciphertext too
    assert rig.wechat.post("<xml><Content>x" + "长" * 30000 + "</Content></xml>").status_code == 413
    assert rig.wechat.post("not xml at all").status_code == 400
    assert rig.assistant.calls == []


def test_rate_limit_per_openid(rig_factory: Any) -> None:
    rig = rig_factory(wechat_rate_per_minute=2)
    contents = [rig.wechat.reply(rig.ask(f"问题{i}", 7000 + i))["Content"] for i in range(3)]
    assert contents[2] == RATE_LIMITED and all("1050元" in c for c in contents[:2])
    assert rig.wechat.reply(rig.ask("问题2", 7002))["Content"] == RATE_LIMITED  # its retry is not recounted
    other = rig.wechat.reply(rig.ask("问题", 7100, openid="oOTHER_USER"))["Content"]
    assert "1050元" in other
    assert len(rig.assistant.calls) == 3


def test_openids_are_stored_only_as_salted_hashes_and_conversations_follow_users(rig_factory: Any, tmp_path: Path) -> None:
    db = Database(tmp_path / "service.sqlite3")
    assistant = ScriptedAssistant()
    AuditLog(db).attach(assistant)
    rig = rig_factory(assistant, db=db)
    for i, openid in enumerate([OPENID, OPENID, "oSECOND_USER_abcdefghijklmn"]):
        rig.wechat.reply(rig.ask("低保标准是多少？", 8000 + i, openid=openid))
    cids = [c["conversation_id"] for c in assistant.calls]
    assert cids[0] == cids[1] != cids[2] and all(cids)
    dump = "\n".join(sqlite3.connect(tmp_path / "service.sqlite3").iterdump())
    assert OPENID not in dump and "oSECOND_USER" not in dump
    rows = db.query("SELECT channel, conversation_id FROM audit ORDER BY rowid")
    assert [r["channel"] for r in rows] == ["wechat-mp"] * 3
    assert [r["conversation_id"] for r in rows] == cids


def test_link_to_the_full_answer_page_when_a_public_url_is_configured(rig_factory: Any) -> None:
    rig = rig_factory(ScriptedAssistant(text="标准见下[1]。<img src=x onerror=alert(1)>"),
                      public_base_url="https://zw.example.gov.cn/")
    lines = rig.wechat.reply(rig.ask("低保标准是多少？", 9001))["Content"].splitlines()
    link = next(line for line in lines if line.startswith("完整答复及原文："))
    prefix = "完整答复及原文：https://zw.example.gov.cn/wechat/answers/"
    assert link.startswith(prefix) and len(link) > len(prefix) + 16  # an unguessable id
    page = rig.wechat.http.get(f"{rig.live.url}/wechat/answers/{link.removeprefix(prefix)}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "第八条　低保金按照差额发放。" in page.text and "临政规〔2024〕3号" in page.text
    assert "<img src=x" not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "低保标准是多少" not in page.text  # the citizen's question is not published
    assert rig.wechat.http.get(f"{rig.live.url}/wechat/answers/nope").status_code == 404
