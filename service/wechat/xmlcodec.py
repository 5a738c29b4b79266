"""WeChat's XML envelopes: parsed with defusedxml (no DOCTYPE, no entities), replies built with escaped CDATA."""

from __future__ import annotations

import re
import time
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

# Characters XML 1.0 does not allow; a model or a document could produce them and break the reply.
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class XmlRefused(ValueError):
    """The body is not a plain WeChat XML message (malformed, or it carries a DOCTYPE or entities): HTTP 400."""


def parse_message(body: bytes | str) -> dict[str, str]:
    """The child elements of a `<xml>` message as {tag: text}. Raises XmlRefused."""
    try:
        root = SafeET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise XmlRefused(f"XML with a DOCTYPE or entities is refused ({type(exc).__name__})") from exc
    except (ParseError, ValueError) as exc:
        raise XmlRefused(f"malformed XML: {exc}") from exc
    if root.tag != "xml":
        raise XmlRefused(f"the root element is <{root.tag}>; WeChat messages are <xml>")
    return {child.tag: (child.text or "").strip() for child in root}


def cdata(text: str) -> str:
    """`text` in a CDATA section; `]]>` inside it is split so it cannot close the section early."""
    clean = _INVALID_XML_CHARS.sub("", text)
    return "<![CDATA[" + clean.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(to_user: str, from_user: str, content: str, create_time: int | None = None) -> str:
    """A passive text reply: to the user's OpenID, from the account that received the message."""
    now = int(time.time()) if create_time is None else create_time
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>{cdata(content)}</Content></xml>"
    )


def encrypted_envelope(encrypted: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    """The safe-mode reply wrapping an encrypted reply."""
    return (
        f"<xml><Encrypt>{cdata(encrypted)}</Encrypt><MsgSignature>{cdata(msg_signature)}</MsgSignature>"
        f"<TimeStamp>{int(timestamp)}</TimeStamp><Nonce>{cdata(nonce)}</Nonce></xml>"
    )
