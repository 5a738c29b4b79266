"""The WeChat bridge: 公众号 at /wechat/mp and 企业微信 at /wechat/work, mounted with `create_wechat_router`."""

from __future__ import annotations

try:
    import Crypto.Cipher.AES  # noqa: F401
    import defusedxml  # noqa: F401
    import httpx  # noqa: F401
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installed extras
    hint = f"the WeChat bridge needs its extra: pip install -e '.[wechat]' ({exc})"
    raise ModuleNotFoundError(hint, name=exc.name) from exc

from service.wechat.router import create_wechat_router

__all__ = ["create_wechat_router"]
