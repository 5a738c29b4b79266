"""What the WeChat endpoints do with a decrypted message: one answer per MsgId, within WeChat's 5 seconds.

公众号: the answer is returned passively when it is ready within `reply_wait` seconds. Otherwise, with the
customer-service API (`push` set), the request answers `success` and the answer is pushed when ready; without
it, non-final attempts are held past WeChat's 5 s so that WeChat retries, and the last attempt answers
"正在查询，请稍后回复任意文字获取结果"; the answer then waits for the user's next message.
企业微信: every reply is pushed through the application message API; the request itself answers at once.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from service.audit import audit_context
from service.errors import PolicyAssistantError, UserInputError
from service.wechat import reply as R
from service.wechat.api import PushClient
from service.wechat.store import Message, WeChatStore

log = logging.getLogger(__name__)

POLL = 0.05
MP, WECOM = "mp", "wecom"


@dataclass
class BridgeOptions:
    reply_wait: float = 4.0  # answer passively when ready within this many seconds of the request's arrival
    retry_hold: float = 5.5  # without push: hold non-final attempts this long, past WeChat's 5 s timeout
    last_attempt: int = 3  # WeChat tries a message three times in all
    rate_per_minute: int = 10
    public_base_url: str | None = None
    workers: int = 2


@dataclass
class MpReply:
    """What a 公众号 request answers: `content` as a passive text message, or `success` when None; `after` runs
    once the response is sent (pushing the rest of a long answer)."""

    content: str | None
    after: Callable[[], None] | None = None


class WeChatBridge:
    """Turns messages into answers; `get_assistant()` returns anything with `ask(question, ...) -> Answer`."""

    def __init__(self, store: WeChatStore, get_assistant: Callable[[], Any], options: BridgeOptions,
                 mp_push: PushClient | None = None, wecom_push: PushClient | None = None) -> None:
        self.store = store
        self.get_assistant = get_assistant
        self.options = options
        self.mp_push = mp_push
        self.wecom_push = wecom_push
        self.executor = ThreadPoolExecutor(max_workers=options.workers, thread_name_prefix="wechat")

    # --- 公众号 ---

    async def mp_message(self, msg: dict[str, str], arrival: float | None = None) -> MpReply:
        arrival = time.monotonic() if arrival is None else arrival
        user = msg.get("FromUserName", "")
        kind = msg.get("MsgType", "")
        if kind == "event":
            return MpReply(R.WELCOME if msg.get("Event", "").lower() == "subscribe" else None)
        question = msg.get("Content", "") if kind == "text" else msg.get("Recognition", "") if kind == "voice" else ""
        if not question.strip() or not user:
            return MpReply(R.PLEASE_SEND_TEXT)
        user_hash = self.store.user_hash(MP, user)
        key = f"{MP}:{msg.get('MsgId') or user_hash + ':' + msg.get('CreateTime', '')}"
        first, attempts = self.store.claim(key, MP, user_hash)
        if first:
            self._start(MP, key, user_hash, question, user if self.mp_push else None)
        return await self._wait(key, attempts, arrival, user)

    async def _wait(self, key: str, attempts: int, arrival: float, user: str) -> MpReply:
        last = attempts >= self.options.last_attempt
        hold = max(self.options.retry_hold, self.options.reply_wait)
        until = arrival + (self.options.reply_wait if self.mp_push or last else hold)
        while True:
            m = self.store.get(key)
            if m is None:
                return MpReply(R.FAILED)
            if m.parts and m.state == "ready":
                return self._passive(m, user)
            if m.state in ("deferred", "held"):  # the user was told: the answer is pushed or kept for them
                return MpReply(None if self.mp_push else R.PENDING if last else "")
            if time.monotonic() >= until:
                break
            await asyncio.sleep(POLL)
        if self.mp_push or last:
            if self.store.defer(key):
                return MpReply(None if self.mp_push else R.PENDING)
            return await self._wait(key, attempts, time.monotonic(), user)  # the answer arrived just now
        return MpReply("")  # WeChat has given up on this attempt and will retry

    def _passive(self, m: Message, user: str) -> MpReply:
        self.store.mark_sent(m.key, 1)
        after = None
        if self.mp_push and len(m.parts) > 1:
            after = self._pusher(self.mp_push, m.key, 1, user)
        return MpReply(m.parts[0], after)

    # --- 企业微信 ---

    def wecom_message(self, msg: dict[str, str]) -> None:
        """Handle one decrypted message; every reply goes through the push API in the background."""
        user = msg.get("FromUserName", "")
        kind = msg.get("MsgType", "")
        push = self.wecom_push
        if not user or push is None:
            return
        if kind == "event":
            if msg.get("Event", "").lower() == "subscribe":
                self.executor.submit(self._push_one, push, user, R.WELCOME)
            return
        user_hash = self.store.user_hash(WECOM, user)
        key = f"{WECOM}:{msg.get('MsgId') or user_hash + ':' + msg.get('CreateTime', '')}"
        first, _ = self.store.claim(key, WECOM, user_hash)
        if not first:
            return
        if kind != "text" or not msg.get("Content", "").strip():
            self.store.finish(key, [R.PLEASE_SEND_TEXT])
            self.executor.submit(self._pusher(push, key, 0, user))
            return
        self._start(WECOM, key, user_hash, msg["Content"], user)

    # --- shared ---

    def _start(self, channel: str, key: str, user_hash: str, question: str, push_to: str | None) -> None:
        """First sight of a message: serve a held answer, refuse over the rate limit, or compute in the background."""
        pending = self.store.pending_for(user_hash, channel, key) if channel == MP else None
        if pending and pending.parts:
            taken = self.store.take_part(pending.key)
            if taken:
                part, _ = taken
                self.store.finish(key, [(R.HELD_NOTE if pending.sent == 0 else "") + part])
                return
        if pending and not pending.parts and push_to is None:
            self.store.finish(key, [R.STILL_PENDING])
            return
        if not self.store.allow(user_hash, self.options.rate_per_minute):
            self.store.finish(key, [R.RATE_LIMITED])
            if push_to and channel == WECOM:
                self.executor.submit(self._pusher(self._client(channel), key, 0, push_to))
            return
        self.executor.submit(self._compute, channel, key, user_hash, question, push_to)

    def _compute(self, channel: str, key: str, user_hash: str, question: str, push_to: str | None) -> None:
        text = self._answer_text(channel, user_hash, question)
        more = "" if push_to else R.MORE_HINT
        parts = R.split_message(text, limit=R.MAX_BYTES - R.utf8_len(R.HELD_NOTE), more=more)
        state = self.store.finish(key, parts)
        if push_to and (channel == WECOM or state == "held"):
            self._pusher(self._client(channel), key, 0, push_to)()

    def _answer_text(self, channel: str, user_hash: str, question: str) -> str:
        try:
            cid = self.store.conversation_id(channel, user_hash)
            assistant = self.get_assistant()
            kwargs = {"conversation_id": cid} if "conversation_id" in inspect.signature(assistant.ask).parameters else {}
            with audit_context(channel=f"wechat-{channel}", conversation_id=cid):
                answer = assistant.ask(question, **kwargs)
        except UserInputError:
            return "抱歉，问题为空或过长，请用几句话描述您的问题后重新发送。"
        except PolicyAssistantError as exc:
            log.error("wechat answer failed", extra={"error": str(exc)})
            return R.FAILED
        except Exception:  # the user must get a reply whatever broke; the trace goes to the log
            log.exception("wechat answer crashed")
            return R.FAILED
        link = None
        if self.options.public_base_url:
            page = self.store.save_page({"answer": answer.answer, "refused": answer.refused,
                                         "citations": [asdict(c) for c in answer.citations]})
            link = f"{self.options.public_base_url.rstrip('/')}/wechat/answers/{page}"
        return R.answer_text(answer, link)

    def _client(self, channel: str) -> PushClient:
        client = self.mp_push if channel == MP else self.wecom_push
        assert client is not None, "push requested on a channel without a push client"
        return client

    def _pusher(self, client: PushClient, key: str, already: int, to_user: str) -> Callable[[], None]:
        """A job pushing the message's parts after the first `already`, once, whichever worker runs it."""
        def push() -> None:
            sent = already
            for part in self.store.claim_unsent(key, already):
                if not self._push_one(client, to_user, part):
                    self.store.release(key, sent)
                    return
                sent += 1
        return push

    def _push_one(self, client: PushClient, user: str, content: str) -> bool:
        try:
            client.send_text(user, content)
            return True
        except PolicyAssistantError as exc:
            log.warning("wechat push failed", extra={"error": str(exc)})
            return False
