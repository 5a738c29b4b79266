"""Dates and relations read from the phrasings policy documents use: 施行, 有效期, repeal clauses, 清理 lists."""

from __future__ import annotations

from ingest.metadata import extract_metadata
from ingest.validity import extract_validity, normalize_number, same_number, title_keys

HEADER = "发布机构：青禾市临江区人民政府\n发文字号：{number}\n成文日期：{issued}\n\n{title}\n\n"


def _doc(body: str, title: str = "临江区城乡居民医疗救助办法", number: str = "临政规〔2024〕5号",
         issued: str = "2024-02-05") -> str:
    return HEADER.format(number=number, issued=issued, title=title) + body


def _read(text: str):  # noqa: ANN202
    return extract_validity(text, extract_metadata(text, "doc.txt"))


def test_effective_date_and_validity_period_in_years() -> None:
    facts = _read(_doc("第二十条　本办法自2024年3月1日起施行，有效期5年。"))
    assert (facts.effective, facts.expires) == ("2024-03-01", "2029-02-28")


def test_effective_on_issue_and_expiry_date() -> None:
    facts = _read(_doc("本通知自印发之日起施行，有效期至2026年12月31日。", title="关于做好居民医保参保工作的通知",
                       issued="2024-08-23"))
    assert (facts.effective, facts.expires) == ("2024-08-23", "2026-12-31")


def test_effective_some_days_after_publication() -> None:
    facts = _read(_doc("第三十条　本规定自发布之日起30日后施行。", title="临江区政府投资项目管理规定", issued="2024-05-10"))
    assert facts.effective == "2024-06-09"


def test_effective_date_without_naming_the_document_itself() -> None:
    facts = _read(_doc("一、适用范围……\n二、工作要求……\n以上规定自2025年1月1日起施行。", title="关于调整临时救助标准的通知"))
    assert facts.effective == "2025-01-01"


def test_repeal_clause_naming_title_then_number() -> None:
    text = _doc("第二十二条　本办法自2024年3月1日起施行，有效期5年。2019年印发的《临江区城乡最低生活保障实施细则》"
                "（临政发〔2019〕12号）同时废止。")
    [rel] = _read(text).relations
    assert (rel.kind, rel.target_title, rel.target_number, rel.effective) == (
        "repeals", "临江区城乡最低生活保障实施细则", "临政发〔2019〕12号", "")
    assert text[rel.start : rel.end].startswith("2019年印发的《临江区城乡最低生活保障实施细则》")


def test_repeal_clause_with_several_targets_after_the_verb() -> None:
    text = _doc("本办法自2023年7月1日起施行。同时废止《临江区住房公积金提取管理办法》（临政办发〔2018〕45号）"
                "和《临江区住房公积金贷款管理办法》（临政办发〔2018〕46号）。")
    rels = _read(text).relations
    assert [(r.kind, r.target_number) for r in rels] == [("repeals", "临政办发〔2018〕45号"), ("repeals", "临政办发〔2018〕46号")]


def test_repeal_from_an_explicit_date() -> None:
    text = _doc("原《临江区城区临时占道经营管理办法》（临政发〔2015〕17号）自2024年7月1日起废止。")
    [rel] = _read(text).relations
    assert (rel.target_number, rel.effective) == ("临政发〔2015〕17号", "2024-07-01")


def test_recounting_an_earlier_repeal_is_not_a_repeal() -> None:
    text = _doc("2019年印发的《临江区城乡最低生活保障实施细则》已于2024年废止，本办法根据《社会救助暂行办法》制定。")
    assert _read(text).relations == []


def test_an_interpretation_names_what_it_explains_and_repeals_nothing() -> None:
    text = ("《临江区最低生活保障审核确认办法》政策解读\n发布机构：临江区民政局\n成文日期：2024-02-08\n"
            "解读文件：《临江区最低生活保障审核确认办法》（临政规〔2024〕3号）\n"
            "一、出台背景\n原临政发〔2019〕12号文件同时废止。\n")
    [rel] = _read(text).relations
    assert (rel.kind, rel.target_number) == ("interprets", "临政规〔2024〕3号")


def test_an_annual_report_repeals_nothing() -> None:
    text = ("青禾市临江区人民政府2024年政府信息公开工作年度报告\n"
            "经清理，《临江区城区临时占道经营管理办法》（临政发〔2015〕17号）予以废止。\n")
    assert _read(text).relations == []


def test_an_amendment_decision_amends_the_document_in_its_title() -> None:
    text = _doc("区政府决定对《临江区残疾人两项补贴实施办法》作如下修改：……本决定自2024年5月1日起施行。",
                title="临江区人民政府关于修改《临江区残疾人两项补贴实施办法》的决定", number="临政规〔2024〕6号")
    rels = _read(text).relations
    assert {(r.kind, r.target_title) for r in rels} == {("amends", "临江区残疾人两项补贴实施办法")}


CLEANUP = """青禾市临江区人民政府关于公布规范性文件清理结果的通知
发文字号：临政发〔2024〕8号
成文日期：2024-06-18

二、《临江区人民政府关于印发〈临江区城乡最低生活保障实施细则〉的通知》（临政发〔2019〕12号）等2件行政规范性文件予以废止（目录见附件1），自本通知印发之日起停止执行。
三、宣布废止或者失效的文件，不再作为行政管理的依据。

附件1
宣布废止的行政规范性文件目录（2件）
序号 文件名称 文号 废止理由
1 临江区人民政府关于印发《临江区城乡最低生活保障实施细则》的通知 临政发〔2019〕12号 已被《临江区最低生活保障审核确认办法》（临政规〔2024〕3号）替代
2 临江区人民政府关于进一步加强城市道路挖掘管理的通知 临政发〔2016〕21号 与现行上位法规定不一致
附件2
宣布失效的行政规范性文件目录（1件）
1 | 临江区人民政府办公室关于印发临江区老旧小区改造三年行动方案（2021—2023年）的通知 | 临政办发〔2021〕33号 | 有效期届满
附件3
继续有效的行政规范性文件目录（1件）
1 临江区人民政府关于印发临江区临时救助实施办法的通知 临政规〔2022〕2号
"""


def test_cleanup_notice_lists_become_relations_of_each_kind() -> None:
    rels = _read(CLEANUP).relations
    found = {(r.kind, r.target_number) for r in rels}
    assert found == {
        ("repeals", "临政发〔2019〕12号"), ("repeals", "临政发〔2016〕21号"), ("supersedes", "临政发〔2019〕12号"),
        ("lapses", "临政办发〔2021〕33号"), ("confirms", "临政规〔2022〕2号"),
    }
    superseded = next(r for r in rels if r.kind == "supersedes")
    assert (superseded.subject_title, superseded.subject_number) == ("临江区最低生活保障审核确认办法", "临政规〔2024〕3号")
    lapsed = next(r for r in rels if r.kind == "lapses")
    assert lapsed.target_title == "临江区人民政府办公室关于印发临江区老旧小区改造三年行动方案（2021—2023年）的通知"
    assert CLEANUP[lapsed.start : lapsed.end].startswith("1 | 临江区人民政府办公室")


def test_document_numbers_are_compared_by_year_serial_and_agency() -> None:
    assert normalize_number("临政发 [2019] 第12号") == "临政发〔2019〕12号"
    assert same_number("临政发〔2019〕12号", "临政发（2019）12号")
    assert same_number("以临政规〔2024〕3号", "临政规〔2024〕3号")  # a word the pattern took before the prefix
    assert not same_number("临政发〔2019〕12号", "临政发〔2020〕12号")
    assert not same_number("临政发〔2019〕12号", "临政办发〔2019〕12号")


def test_a_title_is_known_by_the_document_it_wraps() -> None:
    keys = title_keys("青禾市临江区人民政府关于印发《临江区城乡最低生活保障实施细则》的通知")
    assert "临江区城乡最低生活保障实施细则" in keys
    assert "临江区城乡最低生活保障实施细则" in title_keys("临江区人民政府关于印发〈临江区城乡最低生活保障实施细则〉的通知")
