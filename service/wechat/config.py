"""Which WeChat endpoints are on, read from `Settings`: each is off until its token and keys are set."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from service.errors import PolicyAssistantError
from service.settings import Settings
from service.wechat.crypto import MsgCrypt


class WeChatConfigError(PolicyAssistantError):
    """The WeChat settings are incomplete or malformed; the message names the variable to set."""


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value().strip() if value else ""


@dataclass(frozen=True)
class MpConfig:
    """公众号: plaintext mode without an EncodingAESKey, safe mode (and 兼容模式) with one."""

    token: str
    app_id: str
    aes_key: str
    app_secret: str
    kf_enabled: bool
    api_base: str

    def crypt(self) -> MsgCrypt | None:
        return MsgCrypt(self.token, self.aes_key, self.app_id) if self.aes_key else None


@dataclass(frozen=True)
class WecomConfig:
    """企业微信 自建应用: always encrypted; replies are pushed, so the secret and AgentId are required."""

    corp_id: str
    agent_id: int
    token: str
    aes_key: str
    secret: str
    api_base: str

    def crypt(self) -> MsgCrypt:
        return MsgCrypt(self.token, self.aes_key, self.corp_id)


def mp_config(settings: Settings) -> MpConfig | None:
    """The 公众号 settings, or None when POLICY_WECHAT_TOKEN is unset. Raises WeChatConfigError."""
    token = _secret(settings.wechat_token)
    if not token:
        return None
    config = MpConfig(token, (settings.wechat_app_id or "").strip(), _secret(settings.wechat_aes_key),
                      _secret(settings.wechat_app_secret), settings.wechat_kf_enabled, settings.wechat_api_base)
    if config.aes_key and not config.app_id:
        raise WeChatConfigError("POLICY_WECHAT_AES_KEY is set but POLICY_WECHAT_APP_ID is not: safe mode needs the AppID")
    if config.kf_enabled and not (config.app_id and config.app_secret):
        raise WeChatConfigError("POLICY_WECHAT_KF_ENABLED needs POLICY_WECHAT_APP_ID and POLICY_WECHAT_APP_SECRET"
                                " (公众号: 设置与开发 → 基本配置)")
    _check_key(config.crypt)
    return config


def wecom_config(settings: Settings) -> WecomConfig | None:
    """The 企业微信 settings, or None when none of POLICY_WECOM_* is set. Raises WeChatConfigError."""
    values = {
        "POLICY_WECOM_CORP_ID": (settings.wecom_corp_id or "").strip(),
        "POLICY_WECOM_AGENT_ID": "" if settings.wecom_agent_id is None else str(settings.wecom_agent_id),
        "POLICY_WECOM_TOKEN": _secret(settings.wecom_token),
        "POLICY_WECOM_AES_KEY": _secret(settings.wecom_aes_key),
        "POLICY_WECOM_SECRET": _secret(settings.wecom_secret),
    }
    missing = [name for name, value in values.items() if not value]
    if len(missing) == len(values):
        return None
    if missing:
        raise WeChatConfigError(f"企业微信 is partly configured: also set {', '.join(missing)}"
                                " (企业微信管理后台 → 应用管理 → 自建应用 → 接收消息 → 设置API接收)")
    config = WecomConfig(values["POLICY_WECOM_CORP_ID"], int(values["POLICY_WECOM_AGENT_ID"]),
                         values["POLICY_WECOM_TOKEN"], values["POLICY_WECOM_AES_KEY"], values["POLICY_WECOM_SECRET"],
                         settings.wecom_api_base)
    _check_key(config.crypt)
    return config


def _check_key(make_crypt: object) -> None:
    try:
        make_crypt()  # type: ignore[operator]
    except ValueError as exc:
        raise WeChatConfigError(str(exc)) from exc
