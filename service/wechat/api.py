"""Outbound calls to WeChat: the access token (cached in the database, refreshed by one process at a time) and
the two push APIs (公众号 customer-service messages, 企业微信 application messages).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from service.db import Database
from service.errors import ProviderError
from service.wechat.store import MIGRATIONS

log = logging.getLogger(__name__)

TOKEN_MARGIN = 300.0  # refresh this long before WeChat's expiry, so no request carries a dying token
LOCK_SECONDS = 20.0  # a refresher that died releases the lock after this long
EXPIRED_TOKEN_CODES = {40001, 40014, 42001}
HINTS = {
    40164: "add this server's public IP to the IP whitelist (公众号: 设置与开发 → 基本配置 → IP白名单;"
    " 企业微信: 应用 → 企业可信IP)",
    48001: "this account has no customer-service permission: set POLICY_WECHAT_KF_ENABLED=false",
    45015: "the user last wrote more than 48 hours ago; customer-service messages can no longer reach them",
    40013: "the AppID/CorpID is wrong: check POLICY_WECHAT_APP_ID / POLICY_WECOM_CORP_ID",
    40125: "the AppSecret is wrong: check POLICY_WECHAT_APP_SECRET",
    40001: "the secret is wrong or the token was refreshed elsewhere: check the AppSecret/Secret",
    60020: "add this server's public IP to the application's 企业可信IP list",
}


def _check(data: dict[str, Any], what: str) -> dict[str, Any]:
    code = int(data.get("errcode", 0) or 0)
    if code:
        hint = HINTS.get(code, "see WeChat's global return codes")
        raise ProviderError(f"WeChat {what} failed: errcode {code} ({data.get('errmsg', '')}); {hint}")
    return data


class TokenCache:
    """One access token shared by every worker process through the `wechat_tokens` row named `name`.

    `fetch()` returns (token, seconds valid). Only the process holding the row's lock calls it; the others
    wait for the new token, because a refresh invalidates the previous token for everyone.
    """

    def __init__(self, db: Database, name: str, fetch: Callable[[], tuple[str, float]], wait: float = 15.0) -> None:
        self.db = db
        self.name = name
        self.fetch = fetch
        self.wait = wait
        self.owner = uuid.uuid4().hex
        db.migrate("wechat", MIGRATIONS)
        db.execute("INSERT OR IGNORE INTO wechat_tokens (name) VALUES (?)", (name,))

    def get(self) -> str:
        """A valid token. Raises ProviderError when WeChat refuses, or when another refresher never finishes."""
        deadline = time.monotonic() + self.wait
        while True:
            token = self._valid()
            if token:
                return token
            if self._lock():
                try:
                    token = self._valid()  # refreshed by another process between our check and our lock
                    if token:
                        return token
                    token, seconds = self.fetch()
                    self.db.execute(
                        "UPDATE wechat_tokens SET token = ?, expires_at = ? WHERE name = ?",
                        (token, time.time() + seconds, self.name),
                    )
                    log.info("access token refreshed", extra={"token_name": self.name})
                    return token
                finally:
                    self.db.execute("UPDATE wechat_tokens SET lock_owner = NULL, lock_until = 0 WHERE name = ?"
                                    " AND lock_owner = ?", (self.name, self.owner))
            if time.monotonic() > deadline:
                raise ProviderError(f"timed out waiting for another process to refresh the {self.name} access token")
            time.sleep(0.05)

    def invalidate(self, token: str) -> None:
        """Forget `token` if it is still the stored one (so one rejection causes one refresh, not one per worker)."""
        self.db.execute("UPDATE wechat_tokens SET expires_at = 0 WHERE name = ? AND token = ?", (self.name, token))

    def _valid(self) -> str:
        rows = self.db.query("SELECT token, expires_at FROM wechat_tokens WHERE name = ?", (self.name,))
        if rows and rows[0][0] and rows[0][1] - TOKEN_MARGIN > time.time():
            return str(rows[0][0])
        return ""

    def _lock(self) -> bool:
        now = time.time()
        return self.db.execute(
            "UPDATE wechat_tokens SET lock_owner = ?, lock_until = ? WHERE name = ? AND lock_until < ?",
            (self.owner, now + LOCK_SECONDS, self.name, now),
        ) == 1


class PushClient:
    """Sends text messages through one WeChat account's push API; its token is cached under `token_name`."""

    def __init__(self, db: Database, base_url: str, token_name: str, token_path: str, token_params: dict[str, str],
                 send_path: str, payload: Callable[[str, str], dict[str, Any]], timeout: float = 10.0) -> None:
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, trust_env=False)
        self.token_path = token_path
        self.token_params = token_params
        self.send_path = send_path
        self.payload = payload
        self.tokens = TokenCache(db, token_name, self._fetch_token)

    def _fetch_token(self) -> tuple[str, float]:
        try:
            data = self.http.get(self.token_path, params=self.token_params).json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderError(f"WeChat access-token request to {self.token_path} failed: {exc}") from exc
        data = _check(data, "access-token request")
        return str(data["access_token"]), float(data.get("expires_in", 7200))

    def send_text(self, to_user: str, content: str) -> None:
        """Push one text message; a token WeChat says is expired is refreshed once. Raises ProviderError."""
        body = json.dumps(self.payload(to_user, content), ensure_ascii=False).encode("utf-8")
        for attempt in (1, 2):
            token = self.tokens.get()
            try:
                response = self.http.post(self.send_path, params={"access_token": token}, content=body,
                                          headers={"Content-Type": "application/json; charset=utf-8"})
                data = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise ProviderError(f"WeChat push to {self.send_path} failed: {exc}") from exc
            if attempt == 1 and int(data.get("errcode", 0) or 0) in EXPIRED_TOKEN_CODES:
                self.tokens.invalidate(token)
                continue
            _check(data, f"push to {self.send_path}")
            return


def mp_client(db: Database, base_url: str, app_id: str, secret: str) -> PushClient:
    """Customer-service messages of a 公众号 (POST /cgi-bin/message/custom/send)."""
    return PushClient(
        db, base_url, f"mp:{app_id}", "/cgi-bin/token",
        {"grant_type": "client_credential", "appid": app_id, "secret": secret}, "/cgi-bin/message/custom/send",
        lambda user, text: {"touser": user, "msgtype": "text", "text": {"content": text}},
    )


def wecom_client(db: Database, base_url: str, corp_id: str, secret: str, agent_id: int) -> PushClient:
    """Application messages of a 企业微信 自建应用 (POST /cgi-bin/message/send)."""
    return PushClient(
        db, base_url, f"wecom:{corp_id}:{agent_id}", "/cgi-bin/gettoken", {"corpid": corp_id, "corpsecret": secret},
        "/cgi-bin/message/send",
        lambda user, text: {"touser": user, "msgtype": "text", "agentid": agent_id, "text": {"content": text}, "safe": 0},
    )
