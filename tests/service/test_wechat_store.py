"""The bridge's tables: message states shared by workers, salted user hashes, the rate window, pruning."""

from __future__ import annotations

import time
from pathlib import Path

from service.db import Database
from service.wechat.store import WeChatStore


def test_claim_is_shared_by_connections_and_counts_attempts(tmp_path: Path) -> None:
    a = WeChatStore(Database(tmp_path / "s.sqlite3"), salt="pepper")
    b = WeChatStore(Database(tmp_path / "s.sqlite3"), salt="pepper")  # another worker process
    assert a.claim("mp:1", "mp", "u") == (True, 1)
    assert b.claim("mp:1", "mp", "u") == (False, 2)
    assert a.claim("mp:1", "mp", "u") == (False, 3)
    assert a.claim("mp:2", "mp", "u") == (True, 1)


def test_state_machine_ready_deferred_held(tmp_path: Path) -> None:
    store = WeChatStore(Database(tmp_path / "s.sqlite3"), salt="pepper")
    store.claim("k1", "mp", "u")
    assert store.finish("k1", ["a"]) == "ready"  # computed while a request waits
    assert store.defer("k1") is False  # too late to defer: the waiting request serves it
    store.claim("k2", "mp", "u")
    assert store.defer("k2") is True
    assert store.finish("k2", ["p1", "p2"]) == "held"  # computed after the request gave up
    assert store.claim_unsent("k2", 0) == ["p1", "p2"]
    assert store.claim_unsent("k2", 0) == []  # a second worker gets nothing to push


def test_held_parts_are_served_in_order_once(tmp_path: Path) -> None:
    store = WeChatStore(Database(tmp_path / "s.sqlite3"), salt="pepper")
    store.claim("old", "mp", "u")
    store.defer("old")
    assert store.pending_for("u", "mp", "new").state == "deferred"  # type: ignore[union-attr]
    store.finish("old", ["p1", "p2"])
    pending = store.pending_for("u", "mp", "new")
    assert pending is not None and (pending.key, pending.sent) == ("old", 0)
    assert store.take_part("old") == ("p1", True)
    assert store.take_part("old") == ("p2", False)
    assert store.take_part("old") is None
    assert store.pending_for("u", "mp", "new") is None
    assert store.pending_for("other-user", "mp", "new") is None


def test_user_hashes_are_salted(tmp_path: Path) -> None:
    db = Database(tmp_path / "s.sqlite3")
    pepper, salt = WeChatStore(db, salt="pepper"), WeChatStore(db, salt="salt")
    openid = "oUSER_0123456789abcdefghijkl"
    assert pepper.user_hash("mp", openid) == pepper.user_hash("mp", openid)
    assert pepper.user_hash("mp", openid) != salt.user_hash("mp", openid)
    assert pepper.user_hash("mp", openid) != pepper.user_hash("wecom", openid)
    stored = WeChatStore(db)  # no salt configured: a random one, kept in the database for every worker
    assert stored.user_hash("mp", openid) == WeChatStore(Database(tmp_path / "s.sqlite3")).user_hash("mp", openid)
    assert stored.user_hash("mp", openid) not in (pepper.user_hash("mp", openid), salt.user_hash("mp", openid))


def test_rate_window_and_pruning(tmp_path: Path) -> None:
    db = Database(tmp_path / "s.sqlite3")
    store = WeChatStore(db, salt="pepper")
    assert [store.allow("u", 2) for _ in range(3)] == [True, True, False]
    assert store.allow("v", 2) is True
    db.execute("UPDATE wechat_rate SET at = at - 61")  # a minute later
    assert store.allow("u", 2) is True
    store.claim("ancient", "mp", "u")
    db.execute("UPDATE wechat_messages SET created_at = ? WHERE key = 'ancient'", (time.time() - 8 * 86400,))
    store.claim("recent", "mp", "u")
    WeChatStore(db, salt="pepper")  # pruned at start-up
    assert store.get("ancient") is None and store.get("recent") is not None


def test_a_stale_try_never_consumes_an_answer_kept_for_the_next_message(tmp_path: Path) -> None:
    import asyncio

    from service.wechat.bridge import BridgeOptions, WeChatBridge
    from service.wechat.reply import HELD_NOTE, PENDING
    from tests.service.wechat_helpers import ScriptedAssistant

    store = WeChatStore(Database(tmp_path / "s.sqlite3"), salt="pepper")
    bridge = WeChatBridge(store, ScriptedAssistant, BridgeOptions(reply_wait=0.05, retry_hold=0.05))
    msg = {"FromUserName": "oUSER", "MsgType": "text", "Content": "低保", "MsgId": "42"}
    key = "mp:42"
    store.claim(key, "mp", store.user_hash("mp", "oUSER"))  # try 1 reached another worker, which gave up...
    store.defer(key)
    store.finish(key, ["答复"])  # ...and the answer is now kept for the user's next message
    assert asyncio.run(bridge.mp_message(msg)).content == ""  # try 2 (WeChat has dropped it): not served here
    assert asyncio.run(bridge.mp_message(msg)).content == PENDING  # try 3
    assert store.get(key).sent == 0  # type: ignore[union-attr]
    following = asyncio.run(bridge.mp_message(msg | {"MsgId": "43", "Content": "1"}))
    assert following.content == HELD_NOTE + "答复"
