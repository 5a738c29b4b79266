"""The extractive answerer: it quotes, cites, and refuses when the evidence does not fit the question."""

from __future__ import annotations

from ingest.chunking import Chunker
from retriever.types import DocumentMeta, DocumentRecord, Hit
from service.extractive import ExtractiveAnswerer, places_in

LAW = """第三十三条 行政机关收到政府信息公开申请，能够当场答复的，应当当场予以答复。
行政机关不能当场答复的，应当自收到申请之日起20个工作日内予以答复。
第四十二条 行政机关依申请提供政府信息，不收取费用。"""

REPORT = """三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量 126 8 1 0 2 3 140
二、上年结转政府信息公开申请数量 5 1 0 0 0 0 6
"""


def _hits(source: str, text: str, **meta: object) -> list[Hit]:
    meta.setdefault("title", source)
    record = DocumentRecord(doc_id=source, source=source, kb="default", meta=DocumentMeta(**meta))  # type: ignore[arg-type]
    chunks = Chunker().run(source, text, source)
    return [Hit(chunk=c, document=record, score=1.0 / (i + 1)) for i, c in enumerate(chunks)]


def test_answer_quotes_an_exact_span_and_cites_it() -> None:
    answer = ExtractiveAnswerer().run("不能当场答复的话，最迟多少天内要答复？", _hits("law.txt", LAW, title="政府信息公开条例"))
    assert not answer.refused
    assert "20个工作日" in answer.answer and "[1]" in answer.answer
    cite = answer.citations[0]
    assert LAW[cite.start : cite.end] == cite.quote
    assert "20个工作日" in cite.quote
    assert all(s.citations for s in answer.sentences)


def test_refuses_when_nothing_relevant_was_retrieved() -> None:
    answer = ExtractiveAnswerer().run("新能源汽车购置补贴怎么领？", _hits("law.txt", LAW))
    assert answer.refused
    assert answer.citations == []
    assert "未在已收录的政策文件中找到" in answer.answer and "12345" in answer.answer


def test_refuses_an_article_the_law_does_not_have() -> None:
    answer = ExtractiveAnswerer().run("第六十条是怎么规定的？", _hits("law.txt", LAW))
    assert answer.refused


def test_a_report_of_another_year_or_place_does_not_answer() -> None:
    hits = _hits("ar_2024_linjiang.txt", REPORT, title="临江区2024年政府信息公开工作年度报告", doc_type="年度报告",
                 year=2024, region="临江区")
    assert not ExtractiveAnswerer().run("临江区2024年新收多少件政府信息公开申请？", hits).refused
    assert ExtractiveAnswerer().run("临江区2022年新收多少件政府信息公开申请？", hits).refused
    assert ExtractiveAnswerer().run("洪泽区2024年新收多少件政府信息公开申请？", hits).refused


def test_table_answer_names_the_column_asked_with_its_unit() -> None:
    hits = _hits("ar.txt", REPORT, title="临江区2024年政府信息公开工作年度报告", doc_type="年度报告", year=2024)
    answer = ExtractiveAnswerer().run("2024年本年新收政府信息公开申请数量总计是多少？", hits)
    assert "总计为140件" in answer.answer
    assert "自然人" not in answer.answer, "only the column asked about"
    assert REPORT[answer.citations[0].start : answer.citations[0].end].startswith("一、本年新收")


def test_places_are_read_from_questions() -> None:
    assert places_in("富县、瓮安县、通城县三地2024年的依申请公开数量") == ["富县", "瓮安县", "通城县"]
    assert places_in("嘉兴市政府办公室和高平市政府办公室2023年") == ["嘉兴市", "高平市"]
    assert places_in("我向区政府申请公开一份文件") == []


def test_titles_with_book_marks_nest_them_the_chinese_way() -> None:
    from service.answers import book_title

    assert book_title("《临江区低保办法》政策解读") == "《〈临江区低保办法〉政策解读》"
    assert book_title("《居住证暂行条例》") == "《居住证暂行条例》"
    assert book_title("中华人民共和国政府信息公开条例") == "《中华人民共和国政府信息公开条例》"
