"""The access token: cached in the database, refreshed by one process at a time, refreshed again when rejected."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from service.db import Database
from service.errors import ProviderError
from service.wechat.api import mp_client, wecom_client
from tests.service.wechat_helpers import FakeWeChatAPI

SEND = "/cgi-bin/message/custom/send"


def test_eight_workers_share_one_refresh(tmp_path: Path) -> None:
    with FakeWeChatAPI(token_delay=0.3) as api:
        # one client (and one database connection) per simulated worker process
        clients = [mp_client(Database(tmp_path / "s.sqlite3"), api.url, "wxapp", "secret") for _ in range(8)]
        with ThreadPoolExecutor(8) as pool:
            tokens = list(pool.map(lambda c: c.tokens.get(), clients))
        assert tokens == ["TOKEN1"] * 8
        assert len(api.sent("/cgi-bin/token")) == 1
        clients[3].send_text("oUSER", "您好")
        clients[5].send_text("oUSER", "再见")
        assert len(api.sent("/cgi-bin/token")) == 1  # still cached
        assert [r["query"]["access_token"] for r in api.sent(SEND)] == ["TOKEN1", "TOKEN1"]


def test_a_rejected_token_is_refreshed_once_and_the_message_resent(tmp_path: Path) -> None:
    with FakeWeChatAPI() as api:
        client = mp_client(Database(tmp_path / "s.sqlite3"), api.url, "wxapp", "secret")
        client.tokens.get()
        api.send_errors = [42001]  # WeChat: access_token expired (refreshed elsewhere, or timed out)
        client.send_text("oUSER", "低保标准是多少")
        sends = api.sent(SEND)
        assert [r["query"]["access_token"] for r in sends] == ["TOKEN1", "TOKEN2"]
        assert sends[1]["json"] == {"touser": "oUSER", "msgtype": "text", "text": {"content": "低保标准是多少"}}


def test_api_errors_say_how_to_fix_them(tmp_path: Path) -> None:
    with FakeWeChatAPI() as api:
        client = mp_client(Database(tmp_path / "s.sqlite3"), api.url, "wxapp", "secret")
        api.send_errors = [48001]
        with pytest.raises(ProviderError, match="POLICY_WECHAT_KF_ENABLED=false"):
            client.send_text("oUSER", "x")
        api.send_errors = [40164]
        with pytest.raises(ProviderError, match="IP whitelist"):
            client.send_text("oUSER", "x")


def test_wecom_token_is_separate_from_the_mp_token(tmp_path: Path) -> None:
    with FakeWeChatAPI() as api:
        db = Database(tmp_path / "s.sqlite3")
        mp_client(db, api.url, "wxapp", "secret").send_text("oUSER", "a")
        wecom_client(db, api.url, "wwcorp", "corpsecret", 1000002).send_text("zhangsan", "b")
        assert [r["path"] for r in api.requests] == ["/cgi-bin/token", SEND, "/cgi-bin/gettoken", "/cgi-bin/message/send"]
        assert api.requests[3]["query"]["access_token"] == "TOKEN2"
