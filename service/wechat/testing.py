"""Simulators for the WeChat side, for tests and benchmarks: the platform sending signed (and encrypted) messages,
a fake WeChat API server recording pushes, and a live uvicorn server. Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import uvicorn

from service.wechat.crypto import MsgCrypt, signature
from service.wechat.xmlcodec import parse_message


class FakeWeChatAPI:
    """A stand-in for api.weixin.qq.com / qyapi.weixin.qq.com recording every request it receives."""

    def __init__(self, token_delay: float = 0.0) -> None:
        self.requests: list[dict[str, Any]] = []
        self.token_delay = token_delay
        self.send_errors: list[int] = []  # errcodes returned by the next sends, in order
        self.tokens_issued = 0
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._handle(b"")

            def do_POST(self) -> None:
                self._handle(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

            def _handle(self, raw: bytes) -> None:
                url = urlparse(self.path)
                reply = api.respond(url.path, {k: v[0] for k, v in parse_qs(url.query).items()}, raw)
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def respond(self, path: str, query: dict[str, str], raw: bytes) -> dict[str, Any]:
        with self._lock:
            self.requests.append({"path": path, "query": query, "raw": raw,
                                  "json": json.loads(raw.decode("utf-8")) if raw else None})
            if path in ("/cgi-bin/token", "/cgi-bin/gettoken"):
                self.tokens_issued += 1
                token = f"TOKEN{self.tokens_issued}"
            elif self.send_errors:
                return {"errcode": self.send_errors.pop(0), "errmsg": "scripted error"}
            else:
                return {"errcode": 0, "errmsg": "ok"}
        time.sleep(self.token_delay)
        return {"errcode": 0, "access_token": token, "expires_in": 7200}

    def sent(self, path: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.requests if r["path"] == path]

    def wait_for(self, path: str, n: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.sent(path)) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.sent(path)

    def __enter__(self) -> FakeWeChatAPI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class LiveServer:
    """A FastAPI app served by uvicorn on 127.0.0.1 in a background thread."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.server.started, "uvicorn did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


class WeChatPlatform:
    """Plays WeChat's side of the 公众号 protocol: signs requests, encrypts in safe mode, decrypts replies."""

    def __init__(self, base_url: str, token: str, app_id: str = "", aes_key: str = "", account: str = "gh_account") -> None:
        self.base_url = base_url
        self.token = token
        self.account = account
        self.crypt = MsgCrypt(token, aes_key, app_id) if aes_key else None
        self.http = httpx.Client(timeout=30, trust_env=False)

    @staticmethod
    def text(openid: str, content: str, msg_id: int | str, to: str = "gh_account") -> str:
        return (f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
                f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>")

    def post(self, xml: str, encrypt: bool = False, url: str | None = None, **tamper: str) -> httpx.Response:
        """POST `xml` to /wechat/mp as WeChat would; `tamper` overrides query parameters."""
        ts, nonce = str(int(time.time())), str(time.monotonic_ns() % 10**9)
        query = {"signature": signature(self.token, ts, nonce), "timestamp": ts, "nonce": nonce, "openid": "x"}
        body = xml
        if encrypt:
            assert self.crypt is not None
            encrypted = self.crypt.encrypt(xml)
            query |= {"encrypt_type": "aes", "msg_signature": self.crypt.sign(ts, nonce, encrypted)}
            body = f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        query |= tamper
        return self.http.post(f"{url or self.base_url}/wechat/mp", params=query, content=body.encode("utf-8"))

    def reply(self, response: httpx.Response) -> dict[str, str]:
        """The reply message, decrypted (after checking its signature) when it is a safe-mode envelope."""
        outer = parse_message(response.content)
        if "Encrypt" not in outer:
            return outer
        assert self.crypt is not None
        return parse_message(self.crypt.verify_and_decrypt(outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"],
                                                            outer["Encrypt"]))
