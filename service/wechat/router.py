"""The HTTP edge of the WeChat bridge: `/wechat/mp` (公众号), `/wechat/work` (企业微信), `/wechat/answers/{id}`.

Signatures are checked before anything else; bodies are capped; XML with a DOCTYPE or entities gets a 400,
never a 500. Replies are text/plain `success`, an empty body, or XML (encrypted when the request was).
"""

from __future__ import annotations

import html
import logging
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.background import BackgroundTask

from service.answers import REFUSAL_PREFIX
from service.db import Database
from service.settings import Settings
from service.wechat.api import mp_client, wecom_client
from service.wechat.bridge import BridgeOptions, WeChatBridge
from service.wechat.config import MpConfig, WecomConfig, mp_config, wecom_config
from service.wechat.crypto import (
    InvalidCiphertext,
    MsgCrypt,
    WeChatCryptoError,
    check_signature,
)
from service.wechat.reply import AI_LABEL
from service.wechat.store import WeChatStore
from service.wechat.xmlcodec import XmlRefused, encrypted_envelope, parse_message, text_reply

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024  # WeChat's messages are a few KB; anything larger is not from WeChat


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _plain(text: str, status: int = 200) -> PlainTextResponse:
    return PlainTextResponse(text, status_code=status)


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise _Refused(413, f"body larger than {MAX_BODY} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise _Refused(413, f"body larger than {MAX_BODY} bytes")
    return body


def _query(request: Request, *names: str) -> list[str]:
    values = [request.query_params.get(n, "") for n in names]
    if not all(values):
        raise _Refused(400, f"missing query parameters: {', '.join(n for n, v in zip(names, values, strict=True) if not v)}")
    return values


async def _guard(handler: Callable[[], Any]) -> Response:
    """Run an endpoint body, turning refusals into plain-text 4xx responses."""
    try:
        return await handler()
    except _Refused as exc:
        return _plain(str(exc), exc.status)
    except XmlRefused as exc:
        return _plain(str(exc), 400)
    except InvalidCiphertext as exc:
        return _plain(str(exc), 400)
    except WeChatCryptoError as exc:  # bad signature, or a message for another AppID/CorpID
        log.warning("wechat request refused", extra={"reason": type(exc).__name__})
        return _plain(str(exc), 403)


def _add_mp(router: APIRouter, config: MpConfig, bridge: WeChatBridge) -> None:
    crypt = config.crypt()

    @router.get("/wechat/mp", response_class=PlainTextResponse, include_in_schema=False)
    async def mp_verify(request: Request) -> Response:
        async def run() -> Response:
            sig, ts, nonce, echostr = _query(request, "signature", "timestamp", "nonce", "echostr")
            check_signature(sig, config.token, ts, nonce)
            return _plain(echostr)
        return await _guard(run)

    @router.post("/wechat/mp", include_in_schema=False)
    async def mp_message(request: Request) -> Response:
        arrival = time.monotonic()

        async def run() -> Response:
            sig, ts, nonce = _query(request, "signature", "timestamp", "nonce")
            check_signature(sig, config.token, ts, nonce)
            outer = parse_message(await _read_body(request))
            encrypted = request.query_params.get("encrypt_type", "") == "aes"
            if encrypted:
                if crypt is None:
                    raise _Refused(400, "a safe-mode message arrived but POLICY_WECHAT_AES_KEY is not set")
                (msg_sig,) = _query(request, "msg_signature")
                msg = parse_message(crypt.verify_and_decrypt(msg_sig, ts, nonce, outer.get("Encrypt", "")))
            else:
                msg = outer
            reply = await bridge.mp_message(msg, arrival)
            background = BackgroundTask(reply.after) if reply.after else None
            if reply.content is None:
                return _plain("success")
            if not reply.content:
                return _plain("")
            xml = text_reply(msg.get("FromUserName", ""), msg.get("ToUserName", ""), reply.content)
            if encrypted and crypt is not None:
                xml = _encrypt(crypt, xml)
            return Response(xml, media_type="application/xml", background=background)
        return await _guard(run)


def _encrypt(crypt: MsgCrypt, xml: str) -> str:
    timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**10))
    encrypted = crypt.encrypt(xml)
    return encrypted_envelope(encrypted, crypt.sign(timestamp, nonce, encrypted), timestamp, nonce)


def _add_wecom(router: APIRouter, config: WecomConfig, bridge: WeChatBridge) -> None:
    crypt = config.crypt()

    @router.get("/wechat/work", response_class=PlainTextResponse, include_in_schema=False)
    async def wecom_verify(request: Request) -> Response:
        async def run() -> Response:
            sig, ts, nonce, echostr = _query(request, "msg_signature", "timestamp", "nonce", "echostr")
            return _plain(crypt.verify_and_decrypt(sig, ts, nonce, echostr))
        return await _guard(run)

    @router.post("/wechat/work", include_in_schema=False)
    async def wecom_message(request: Request) -> Response:
        async def run() -> Response:
            sig, ts, nonce = _query(request, "msg_signature", "timestamp", "nonce")
            outer = parse_message(await _read_body(request))
            msg = parse_message(crypt.verify_and_decrypt(sig, ts, nonce, outer.get("Encrypt", "")))
            bridge.wecom_message(msg)
            return _plain("")
        return await _guard(run)


def _add_pages(router: APIRouter, store: WeChatStore) -> None:
    @router.get("/wechat/answers/{page_id}", response_class=HTMLResponse, include_in_schema=False)
    async def answer_page(page_id: str) -> Response:
        page = store.page(page_id) if len(page_id) < 64 else None
        if page is None:
            return HTMLResponse("<p>该答复不存在或已过期。</p>", status_code=404)
        return HTMLResponse(render_page(page))


def render_page(page: dict[str, Any]) -> str:
    """The full answer and its quoted sources as a small self-contained page (every string escaped)."""
    e = html.escape
    items = "".join(
        f"<li id='c{c['n']}'><b>[{c['n']}]《{e(c['title'] or c['doc'])}》</b> {e(c['doc_number'])} {e(c['issued'])}"
        f" {e(c['validity'])}<br><small>{e(c['heading'])}</small><blockquote>{e(c['quote'])}</blockquote></li>"
        for c in page.get("citations", [])
    )
    sources = f"<h2>出处</h2><ol>{items}</ol>" if items else ""
    status = "未找到依据" if str(page.get("answer", "")).startswith(REFUSAL_PREFIX) else "政策解读"
    return (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'><title>政策解读助手 · 答复</title>"
        "<style>body{font:18px/1.7 sans-serif;max-width:40em;margin:1em auto;padding:0 1em}"
        "blockquote{background:#f4f4f4;margin:.4em 0;padding:.5em}</style></head><body>"
        f"<h1>{status}</h1><p style='white-space:pre-wrap'>{e(str(page.get('answer', '')))}</p>{sources}"
        f"<p><small>{e(AI_LABEL)}</small></p></body></html>"
    )


def create_wechat_router(settings: Settings, get_assistant: Callable[[], Any], db: Database | None = None) -> APIRouter:
    """The WeChat endpoints that `settings` configure (none when no WeChat setting is set).

    `get_assistant()` returns the assistant (called on the first question, so it may load lazily); `db` is the
    service database shared by the workers (default: `<data_dir>/service.sqlite3`). Raises WeChatConfigError.
    """
    router = APIRouter(tags=["wechat"])
    mp, wecom = mp_config(settings), wecom_config(settings)
    if mp is None and wecom is None:
        return router
    db = db or Database(Path(settings.data_dir) / "service.sqlite3")
    salt = settings.wechat_openid_salt.get_secret_value() if settings.wechat_openid_salt else None
    store = WeChatStore(db, salt)
    options = BridgeOptions(reply_wait=settings.wechat_reply_wait, retry_hold=settings.wechat_retry_hold,
                            rate_per_minute=settings.wechat_rate_per_minute, public_base_url=settings.public_base_url)
    mp_push = mp_client(db, mp.api_base, mp.app_id, mp.app_secret) if mp and mp.kf_enabled else None
    wecom_push = wecom_client(db, wecom.api_base, wecom.corp_id, wecom.secret, wecom.agent_id) if wecom else None
    bridge = WeChatBridge(store, get_assistant, options, mp_push, wecom_push)
    if mp:
        _add_mp(router, mp, bridge)
    if wecom:
        _add_wecom(router, wecom, bridge)
    if settings.public_base_url:
        _add_pages(router, store)
    log.info("wechat endpoints", extra={"mp": mp is not None, "wecom": wecom is not None})
    return router


def create_router(context: Any) -> APIRouter | None:
    """The hook `service.api.app` calls: the WeChat routes on the service's assistant and database, or None
    when no WeChat endpoint is configured. `context` is the API's ServiceContext (settings, assistant, db)."""
    if mp_config(context.settings) is None and wecom_config(context.settings) is None:
        return None
    return create_wechat_router(context.settings, lambda: context.assistant, db=context.db)
