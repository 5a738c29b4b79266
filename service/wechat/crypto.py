"""WeChat message signatures and encryption, compatible with Tencent's WXBizMsgCrypt (公众号 and 企业微信).

Signatures are SHA-1 over the sorted (token, timestamp, nonce[, payload]) strings, compared in constant time.
Safe-mode payloads are AES-256-CBC with IV = key[:16] and PKCS#7 padding to a 32-byte block; the plaintext is
`random(16) | len(xml) as 4-byte big-endian | xml | receive_id`, where receive_id is the AppID or CorpID and
must match ours.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from Crypto.Cipher import AES

BLOCK = 32  # WXBizMsgCrypt pads to 32 bytes, not AES's 16


class WeChatCryptoError(ValueError):
    """A request that cannot be authenticated or decrypted; the HTTP edge answers 400 or 403."""


class InvalidSignature(WeChatCryptoError):
    """The signature does not match: the request did not come from WeChat, or the token is wrong."""


class InvalidCiphertext(WeChatCryptoError):
    """The encrypted payload is not valid base64, not block-aligned, or badly padded."""


class ReceiveIdMismatch(WeChatCryptoError):
    """The payload decrypted but was meant for another AppID/CorpID."""


def signature(token: str, timestamp: str, nonce: str, *payload: str) -> str:
    """sha1 of the sorted strings, as WeChat computes `signature` and `msg_signature`."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, *payload])).encode("utf-8")).hexdigest()


def check_signature(given: str, token: str, timestamp: str, nonce: str, *payload: str) -> None:
    """Raise InvalidSignature unless `given` equals the expected signature (constant-time comparison)."""
    expected = signature(token, timestamp, nonce, *payload)
    if not hmac.compare_digest(expected.encode("utf-8"), (given or "").encode("utf-8")):
        raise InvalidSignature("signature mismatch: check that the token matches the one set in the WeChat console")


def decode_aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key from the 43-character EncodingAESKey; ValueError saying how to fix a bad one."""
    if len(encoding_aes_key) != 43:
        raise ValueError(
            f"the EncodingAESKey has {len(encoding_aes_key)} characters; copy the 43-character key from the WeChat"
            " console (公众号: 设置与开发 → 基本配置 → 服务器配置; 企业微信: 应用 → 接收消息 → 设置API接收)"
        )
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error as exc:
        raise ValueError(f"the EncodingAESKey is not valid base64 ({exc}); copy it again from the console") from exc
    if len(key) != 32:
        raise ValueError("the EncodingAESKey does not decode to 32 bytes; copy it again from the console")
    return key


def pkcs7_pad(data: bytes, block: int = BLOCK) -> bytes:
    n = block - len(data) % block
    return data + bytes([n]) * n


def pkcs7_unpad(data: bytes, block: int = BLOCK) -> bytes:
    """Strip PKCS#7 padding, raising InvalidCiphertext when it is not well-formed."""
    if not data:
        raise InvalidCiphertext("empty plaintext")
    n = data[-1]
    if not 1 <= n <= block or len(data) < n or data[-n:] != bytes([n]) * n:
        raise InvalidCiphertext("bad padding: the EncodingAESKey is probably wrong")
    return data[:-n]


class MsgCrypt:
    """Signs, encrypts and decrypts messages for one account (token, EncodingAESKey, AppID or CorpID)."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        if not token or not receive_id:
            raise ValueError("a WeChat token and an AppID/CorpID are both required for safe mode")
        self.token = token
        self.key = decode_aes_key(encoding_aes_key)
        self.receive_id = receive_id

    def encrypt(self, xml: str, random_prefix: bytes | None = None) -> str:
        """Base64 ciphertext of `xml`; `random_prefix` (16 bytes) is only fixed in tests."""
        prefix = os.urandom(16) if random_prefix is None else random_prefix
        if len(prefix) != 16:
            raise ValueError("random_prefix must be 16 bytes")
        body = xml.encode("utf-8")
        plain = prefix + len(body).to_bytes(4, "big") + body + self.receive_id.encode("utf-8")
        cipher = AES.new(self.key, AES.MODE_CBC, iv=self.key[:16])
        return base64.b64encode(cipher.encrypt(pkcs7_pad(plain))).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        """The XML inside `encrypted`. Raises InvalidCiphertext or ReceiveIdMismatch."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidCiphertext("the Encrypt field is not valid base64") from exc
        if not raw or len(raw) % 16:
            raise InvalidCiphertext("the Encrypt field is not a whole number of AES blocks")
        plain = pkcs7_unpad(AES.new(self.key, AES.MODE_CBC, iv=self.key[:16]).decrypt(raw))
        if len(plain) < 20:
            raise InvalidCiphertext("the decrypted payload is too short")
        length = int.from_bytes(plain[16:20], "big")
        if 20 + length > len(plain):
            raise InvalidCiphertext("the decrypted length field is larger than the payload")
        xml, receive_id = plain[20 : 20 + length], plain[20 + length :]
        if not hmac.compare_digest(receive_id, self.receive_id.encode("utf-8")):
            raise ReceiveIdMismatch("the message is for another AppID/CorpID: check POLICY_WECHAT_APP_ID / POLICY_WECOM_CORP_ID")
        try:
            return xml.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidCiphertext("the decrypted message is not UTF-8") from exc

    def verify_and_decrypt(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> str:
        """Check `msg_signature` over the ciphertext, then decrypt it."""
        check_signature(msg_signature, self.token, timestamp, nonce, encrypted)
        return self.decrypt(encrypted)

    def sign(self, timestamp: str, nonce: str, encrypted: str) -> str:
        return signature(self.token, timestamp, nonce, encrypted)
