"""Reply shaping (plain text, citation lines, 2048-byte parts) and the XML codec (escaping, DOCTYPE refusal)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from service.answers import Answer, Citation
from service.wechat.reply import (
    AI_LABEL,
    MAX_BYTES,
    MORE_HINT,
    TRUNCATED,
    answer_text,
    citation_line,
    split_message,
    strip_markdown,
)
from service.wechat.xmlcodec import XmlRefused, cdata, parse_message, text_reply


def _cite(n: int, title: str, heading: str, quote: str = "") -> Citation:
    return Citation(n=n, doc="f.txt", title=title, doc_number="", issued="", validity="现行有效", heading=heading,
                    quote=quote, start=0, end=1, chunk_id="x")


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def test_long_chinese_answer_splits_under_2048_bytes_at_character_boundaries() -> None:
    text = "".join(f"第{i}句，低保金按照差额发放，月保障金额为低保标准与家庭人均月收入之差😀。" for i in range(60))
    assert _size(text) > 2 * MAX_BYTES
    parts = split_message(text, more=MORE_HINT)
    assert 2 < len(parts) <= 5
    assert all(_size(p) <= MAX_BYTES for p in parts)
    assert all(p.endswith(MORE_HINT) for p in parts[:-1]) and not parts[-1].endswith(MORE_HINT)
    assert "".join(p.removesuffix(MORE_HINT) for p in parts) == text  # nothing lost, nothing broken
    assert all(p.removesuffix(MORE_HINT).endswith("。") for p in parts[:-1])  # cut at sentence ends


def test_split_without_breaks_and_with_4_byte_characters() -> None:
    text = "😀" * 1500  # 6000 bytes, no punctuation to cut at
    parts = split_message(text)
    assert "".join(parts) == text
    assert [_size(p) for p in parts] == [2048, 2048, 1904]


def test_too_long_answer_is_cut_to_five_parts() -> None:
    parts = split_message("字" * 10000, more=MORE_HINT)
    assert len(parts) == 5
    assert parts[-1].endswith(TRUNCATED)
    assert all(_size(p) <= MAX_BYTES for p in parts)


def test_short_text_is_one_part() -> None:
    assert split_message("  低保标准是多少  ") == ["低保标准是多少"]
    with pytest.raises(ValueError):
        split_message("x", limit=20, more="很长的提示很长的提示")


def test_markdown_is_stripped() -> None:
    md = ("## 申请条件\n**户籍**要求：*本区*户籍[1]。\n- 第一项\n* 第二项\n> 引用\n"
          "见[办事指南](http://example.gov.cn/a)和![图](http://evil.example/?q=secret)，`代码`。\n---\n~~旧~~")
    assert strip_markdown(md) == ("申请条件\n户籍要求：本区户籍[1]。\n· 第一项\n· 第二项\n引用\n"
                                  "见办事指南和图，代码。\n\n旧")


def test_citation_lines_are_short() -> None:
    long_title = "青禾市临江区人民政府关于印发《临江区最低生活保障审核确认办法》的通知"
    assert citation_line(_cite(1, long_title, "第二章　申请条件和保障标准 > 第八条")) == "[1]《临江区最低生活保障审核确认办法》第八条"
    assert citation_line(_cite(2, "临江区临时救助申请办事指南", "四、申请条件 > （二）因生活必需支出突然增加超出家庭承受能力")) == (
        "[2]《临江区临时救助申请办事指南》（二）因生活必需支出突然增加超…")
    assert citation_line(_cite(3, "某办法", "", "第十二条　本办法自发布之日起施行")) == "[3]《某办法》第十二条"
    assert citation_line(_cite(4, "某办法", "第四章 > 第十五条至第十六条")) == "[4]《某办法》第十五条至第十六条"


def test_answer_text_has_citations_link_and_label() -> None:
    answer = Answer(question="q", answer="**低保标准**为每人每月1050元[1]。", refused=False,
                    citations=[_cite(1, "临江区最低生活保障审核确认办法", "第八条")])
    text = answer_text(answer, link="https://zw.example.gov.cn/wechat/answers/abc")
    assert text.splitlines() == ["低保标准为每人每月1050元[1]。", "", "出处：", "[1]《临江区最低生活保障审核确认办法》第八条", "",
                                 "完整答复及原文：https://zw.example.gov.cn/wechat/answers/abc", "", AI_LABEL]
    assert "完整答复" not in answer_text(answer)


def test_cdata_escapes_the_terminator_so_content_cannot_inject_elements() -> None:
    evil = "答复]]></Content><MsgType><![CDATA[image]]></MsgType><Content><![CDATA[x"
    root = ET.fromstring(text_reply("openid", "gh_account", evil, create_time=1))
    assert [e.tag for e in root] == ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content"]
    assert root.findtext("MsgType") == "text"
    assert root.findtext("Content") == evil
    assert ET.fromstring(f"<a>{cdata('a]]>b]]>')}</a>").text == "a]]>b]]>"
    control = "控制\x01字符"
    assert ET.fromstring("<a>" + cdata(control) + "</a>").text == "控制字符"  # invalid XML characters dropped


@pytest.mark.parametrize("body", [
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
    "<xml><Content>&lol2;</Content></xml>",
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>',
    "<!DOCTYPE xml><xml><Content>x</Content></xml>",
    "<xml><Content>unclosed</xml>",
    "<html><Content>x</Content></html>",
    "",
])
def test_doctype_entities_and_malformed_xml_are_refused(body: str) -> None:
    with pytest.raises(XmlRefused):
        parse_message(body.encode())


def test_parse_plain_message() -> None:
    msg = parse_message("<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[低保]]></Content>"
                        "<MsgId>1234567890123456</MsgId></xml>".encode())
    assert msg == {"MsgType": "text", "Content": "低保", "MsgId": "1234567890123456"}
