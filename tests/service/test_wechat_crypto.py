"""Every vector of WECHAT.md (Tencent's WXBizMsgCrypt samples and wechatpy's tests), valid and tampered."""

from __future__ import annotations

import base64

import pytest

from service.wechat.crypto import (
    InvalidCiphertext,
    InvalidSignature,
    MsgCrypt,
    ReceiveIdMismatch,
    WeChatCryptoError,
    check_signature,
    decode_aes_key,
    pkcs7_pad,
    pkcs7_unpad,
    signature,
)
from service.wechat.xmlcodec import parse_message

MP_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9"
    "FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3y"
    "t+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v"
    "6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)
WECOM_ENCRYPT = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymz"
    "xh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIi"
    "OAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvc"
    "cTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
)
WECOM_ECHOSTR = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
WECOM_REPLY = (
    "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
    "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n"
    "<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>"
)
MP_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
WECOM_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"


def _tamper(text: str) -> str:
    return text[:-1] + ("0" if text[-1] != "0" else "1")


def test_mp_url_verification_signature() -> None:
    assert signature("test", "1410685589", "test") == "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"
    check_signature("f21891de399b4e33a1a93c9a7b8a8fffb5a443ff", "test", "1410685589", "test")
    with pytest.raises(InvalidSignature):
        check_signature(_tamper("f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"), "test", "1410685589", "test")
    with pytest.raises(InvalidSignature):
        check_signature("", "test", "1410685589", "test")
    with pytest.raises(InvalidSignature):  # non-ASCII input must be refused, not crash compare_digest
        check_signature("签名", "test", "1410685589", "test")


def test_mp_safe_mode_sample_decrypts() -> None:
    crypt = MsgCrypt("spamtest", MP_KEY, "wx2c2769f8efd9abc2")
    xml = crypt.verify_and_decrypt("5d197aaffba7e9b25a30732f161a50dee96bd5fa", "1409735669", "1320562132", MP_ENCRYPT)
    msg = parse_message(xml)
    assert msg["Content"] == "abcdteT"
    assert msg["MsgId"] == "6054768590064713728"
    assert msg["FromUserName"] == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
    assert msg["ToUserName"] == "gh_10f6c3c3ac5a"
    assert msg["MsgType"] == "text"


def test_mp_safe_mode_sample_tampered() -> None:
    crypt = MsgCrypt("spamtest", MP_KEY, "wx2c2769f8efd9abc2")
    with pytest.raises(InvalidSignature):
        crypt.verify_and_decrypt(_tamper("5d197aaffba7e9b25a30732f161a50dee96bd5fa"), "1409735669", "1320562132",
                                 MP_ENCRYPT)
    with pytest.raises(InvalidSignature):  # a ciphertext changed in transit no longer matches msg_signature
        crypt.verify_and_decrypt("5d197aaffba7e9b25a30732f161a50dee96bd5fa", "1409735669", "1320562132",
                                 "A" + MP_ENCRYPT[1:])
    with pytest.raises(ReceiveIdMismatch):
        MsgCrypt("spamtest", MP_KEY, "wxWRONG").decrypt(MP_ENCRYPT)
    raw = bytearray(base64.b64decode(MP_ENCRYPT))
    raw[-1] ^= 0xFF  # the last block's padding is destroyed
    with pytest.raises(WeChatCryptoError):
        crypt.decrypt(base64.b64encode(bytes(raw)).decode())
    with pytest.raises(InvalidCiphertext):
        crypt.decrypt("not base64!")
    with pytest.raises(InvalidCiphertext):
        crypt.decrypt(base64.b64encode(b"x" * 17).decode())


def test_wecom_url_verification() -> None:
    crypt = MsgCrypt("123456", WECOM_KEY, "wx49f0ab532d5d035a")
    sig = "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96"
    assert crypt.verify_and_decrypt(sig, "1411443780", "437374425", WECOM_ECHOSTR) == "5927782489442352469"
    with pytest.raises(InvalidSignature):
        crypt.verify_and_decrypt(sig, "1411443780", "437374424", WECOM_ECHOSTR)
    with pytest.raises(ReceiveIdMismatch):
        MsgCrypt("123456", WECOM_KEY, "wxWRONG").verify_and_decrypt(sig, "1411443780", "437374425", WECOM_ECHOSTR)


def test_wecom_message_decrypts() -> None:
    crypt = MsgCrypt("123456", WECOM_KEY, "wx49f0ab532d5d035a")
    msg = parse_message(crypt.verify_and_decrypt("74d92dfeb87ba7c714f89d98870ae5eb62dff26d", "1411525903",
                                                 "461056294", WECOM_ENCRYPT))
    assert (msg["Content"], msg["FromUserName"], msg["AgentID"]) == ("test", "messense", "1")
    with pytest.raises(InvalidSignature):
        crypt.verify_and_decrypt(_tamper("74d92dfeb87ba7c714f89d98870ae5eb62dff26d"), "1411525903", "461056294",
                                 WECOM_ENCRYPT)


def test_wecom_encrypted_reply_is_deterministic_with_fixed_random() -> None:
    crypt = MsgCrypt("123456", WECOM_KEY, "wx49f0ab532d5d035a")
    encrypted = crypt.encrypt(WECOM_REPLY, random_prefix=b"1234567890123456")
    assert encrypted.startswith("9s4gMv99m88kKTh/H8IdkOiMg6bisoy3")
    assert encrypted.endswith("NMpatF9XiKzHo3")
    assert crypt.sign("1411525903", "461056294", encrypted) == "407518b7649e86ef23978113f92d27afa9296533"
    assert crypt.decrypt(encrypted) == WECOM_REPLY


def test_padding_is_to_32_bytes() -> None:
    assert len(pkcs7_pad(b"a" * 31)) == 32
    assert pkcs7_pad(b"a" * 32)[-1] == 32 and len(pkcs7_pad(b"a" * 32)) == 64
    assert pkcs7_unpad(pkcs7_pad(b"hello")) == b"hello"
    with pytest.raises(InvalidCiphertext):
        pkcs7_unpad(b"a" * 31 + b"\x21")  # 33 is beyond the 32-byte block
    with pytest.raises(InvalidCiphertext):
        pkcs7_unpad(b"a" * 30 + b"\x01\x02")


def test_roundtrip_chinese_and_bad_keys() -> None:
    crypt = MsgCrypt("tok", MP_KEY, "wxapp")
    xml = "<xml><Content><![CDATA[低保标准是多少？😀]]></Content></xml>"
    assert crypt.decrypt(crypt.encrypt(xml)) == xml
    assert crypt.encrypt(xml) != crypt.encrypt(xml)  # a fresh random prefix each time
    assert len(decode_aes_key(MP_KEY)) == 32
    with pytest.raises(ValueError, match="43-character"):
        MsgCrypt("tok", MP_KEY[:-1], "wxapp")
    with pytest.raises(ValueError, match="base64"):
        MsgCrypt("tok", "!" * 43, "wxapp")
