"""Drafting a 政策解读 from the sample corpus: sections supported and none invented, exact quotes, numbers, glossary,
readability."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retriever.types import DocumentMeta, PolicyDocument
from service.drafting.drafter import Drafter
from service.drafting.glossary import Entry, Glossary
from service.drafting.model import BACKGROUND, CONTACT, FAQ, MAIN, PROCESS, SCOPE, SECTION_ORDER, TERMS, Draft
from service.drafting.readability import ReadabilityTargets, measure
from service.drafting.service import document_from_file
from tests.conftest import SAMPLE_CORPUS

BANFA = SAMPLE_CORPUS / "linjiang_dibao_banfa_2024.txt"
POLICIES = ["linjiang_dibao_banfa_2024.txt", "linjiang_dibao_xize_2019.txt", "linjiang_gongjijin_tiqu_guide.md",
            "linjiang_linshi_jiuzhu_guide.pdf"]
DIGITS = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def drafter() -> Drafter:
    return Drafter()


@pytest.fixture(scope="module")
def banfa(drafter: Drafter) -> tuple[Draft, str]:
    doc = document_from_file(BANFA)
    return drafter.run(doc), doc.text


def clauses_cited(draft: Draft, section: str) -> set[str]:
    found = draft.section(section)
    assert found is not None, f"section {section} missing"
    return {c.clause for p in found.points for c in p.citations}


def test_every_section_the_policy_supports_is_present_in_order(banfa: tuple[Draft, str]) -> None:
    draft, _ = banfa
    assert [s.name for s in draft.sections] == list(SECTION_ORDER)
    # Where the 办法 says each thing (read from the document, not from the drafter):
    assert "第一条" in clauses_cited(draft, BACKGROUND)  # 为规范……制定本办法
    assert "第二十二条" in clauses_cited(draft, BACKGROUND)  # 自2024年3月1日起施行
    assert "第六条" in clauses_cited(draft, MAIN)  # 每人每月1050元
    assert "第五条" in clauses_cited(draft, SCOPE)  # 可以申请低保
    assert {"第十条", "第十三条"} <= clauses_cited(draft, PROCESS)  # 材料, 15个工作日
    assert "第十九条" in clauses_cited(draft, CONTACT)  # 0571-86902316
    assert 5 <= len(draft.section(FAQ).points) <= 10  # type: ignore[union-attr]


def test_sections_without_support_are_left_out() -> None:
    text = ("某县困难老人补贴办法\n"
            "第一条　为保障困难老人基本生活，制定本办法。\n"
            "第二条　本办法适用于本县户籍的八十周岁以上困难老人。\n"
            "第三条　补贴标准为每人每月300元。\n"
            "第四条　本办法自2025年1月1日起施行。\n")
    doc = PolicyDocument("laoren.txt", text, DocumentMeta(title="某县困难老人补贴办法"))
    draft = Drafter().run(doc)
    names = [s.name for s in draft.sections]
    assert CONTACT not in names  # no phone, no hotline, no platform in the text
    assert PROCESS not in names  # no materials, no time limits, no procedure
    assert {BACKGROUND, SCOPE, MAIN} <= set(names)
    asked = {p.intent for p in draft.section(FAQ).points}  # type: ignore[union-attr]
    assert "materials" not in asked and "contact" not in asked
    assert "standard" in asked and "effective" in asked
    standard = next(p for p in draft.section(FAQ).points if p.intent == "standard")  # type: ignore[union-attr]
    assert "300" in standard.text


@pytest.mark.parametrize("name", POLICIES)
def test_every_quote_is_the_exact_source_span(drafter: Drafter, name: str) -> None:
    doc = document_from_file(SAMPLE_CORPUS / name)
    draft = drafter.run(doc)
    assert draft.sections, name
    for _, point in draft.points():
        assert point.citations, point.text
        for c in point.citations:
            assert c.quote == doc.text[c.start : c.end]
            assert c.quote.strip() and c.clause
            assert c.verified
        assert point.verified, point.problems


@pytest.mark.parametrize("name", POLICIES)
def test_numbers_in_the_draft_are_the_clauses_numbers(drafter: Drafter, name: str) -> None:
    draft = drafter.run(document_from_file(SAMPLE_CORPUS / name))
    for _, point in draft.points():
        quoted = {n for c in point.citations for n in DIGITS.findall(c.quote)}
        assert set(DIGITS.findall(point.text)) <= quoted, point.text


def test_key_figures_are_kept_with_their_clause(banfa: tuple[Draft, str]) -> None:
    draft, _ = banfa
    faq = {p.intent: p for p in draft.section(FAQ).points}  # type: ignore[union-attr]
    assert "1050" in faq["standard"].text and faq["standard"].citations[0].clause == "第六条"
    assert "15个工作日" in faq["deadline"].text and faq["deadline"].citations[0].clause == "第十三条"
    assert "低保申请书" in faq["materials"].text and faq["materials"].citations[0].clause == "第十条"
    assert "0571-86902316" in faq["contact"].text


def test_glossary_plain_words_and_one_explanation(banfa: tuple[Draft, str]) -> None:
    draft, _ = banfa
    body = "\n".join(p.text for s, p in draft.points() if s.name != TERMS)
    assert body.count("低保（政府给困难家庭的基本生活补助）") == 1  # explained the first time only
    outside_titles = re.sub(r"《[^》]*》", "", body)
    assert "最低生活保障" not in outside_titles
    assert "应当" not in outside_titles and "户籍" not in outside_titles
    assert "要提交下列材料" in body  # 应当提交 -> 要提交
    terms = {p.term for p in draft.section(TERMS).points}  # type: ignore[union-attr]
    assert "低保" in terms  # the document's own alias: 最低生活保障（以下简称低保）


def test_glossary_rules() -> None:
    g = Glossary([Entry("术语", "最低生活保障", "低保", "政府给困难家庭的基本生活补助"), Entry("用语", "应当", "要"),
                  Entry("删除", "结合本区实际，", "")])
    text, applied = g.simplify("根据《最低生活保障审核确认办法》，结合本区实际，应当审核最低生活保障申请。最低生活保障金")
    assert text == "根据《最低生活保障审核确认办法》，要审核低保（政府给困难家庭的基本生活补助）申请。低保金"
    assert [e.term for e in applied] == ["结合本区实际，", "应当", "最低生活保障", "最低生活保障"]
    assert g.jargon("应当申请最低生活保障") == {"应当": 1, "最低生活保障": 1}
    with pytest.raises(ValueError, match="digits"):
        Glossary([Entry("术语", "低保", "低保", "每月发1050元")])
    with pytest.raises(ValueError, match="kind"):
        Glossary([Entry("名词", "低保", "低保")])


def test_glossary_file_loads_and_custom_file(tmp_path: Path) -> None:
    bundled = Glossary.load()
    assert bundled.entries["最低生活保障"].plain == "低保"
    custom = tmp_path / "g.txt"
    custom.write_text("# 注释\n术语\t居住证\t居住证\t在外地证明居住身份的证件\n用语\t应当\t须\n", encoding="utf-8")
    g = Glossary.load(custom)
    assert g.simplify("应当办理居住证")[0] == "须办理居住证（在外地证明居住身份的证件）"
    custom.write_text("术语\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        Glossary.load(custom)


def test_readability_before_and_after(banfa: tuple[Draft, str]) -> None:
    draft, _ = banfa
    source, out = draft.readability["source"], draft.readability["draft"]
    assert out["avg_sentence_chars"] < source["avg_sentence_chars"]
    assert out["long_share"] < source["long_share"]
    assert out["jargon"] == []
    flagged = {j["term"]: j["suggestion"] for j in source["jargon"]}
    assert "低保（政府给困难家庭的基本生活补助）" in flagged["最低生活保障"]
    assert flagged["应当"] == "改为“要”"


def test_readability_measure_and_targets() -> None:
    g = Glossary([Entry("用语", "应当", "要")])
    long = "这" * 45 + "。"
    report = measure(["短句一。短句二！", long, "申请人应当提交材料；"], g, ReadabilityTargets(30, 40, 0.2))
    assert report.sentences == 4
    assert report.long_sentences == 1 and report.long_share == 0.25
    assert report.avg_sentence_chars == pytest.approx((4 + 4 + 46 + 10) / 4)
    assert report.jargon == [{"term": "应当", "count": 1, "suggestion": "改为“要”"}]
    assert len(report.failures) == 2 and not report.meets_targets  # long share and jargon; the average is fine
    assert measure(["短句。"], g, ReadabilityTargets(30, 40, 0.2)).meets_targets
    with pytest.raises(ValueError):
        ReadabilityTargets(max_long_share=1.5)


def test_draft_round_trips_through_json(banfa: tuple[Draft, str]) -> None:
    draft, _ = banfa
    again = Draft.from_dict(draft.to_dict())
    assert again.to_dict() == draft.to_dict()
    assert draft.heading == "《临江区最低生活保障审核确认办法》政策解读"
