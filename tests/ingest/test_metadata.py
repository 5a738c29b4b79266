"""Metadata extraction on hand-written headers shaped like real government web pages, PDFs and law texts."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ingest.metadata import extract_metadata, load_sidecar

WEB_PAGE_NOTICE = """\
- 索 引 号:fz02203-1100-2023-00017
- 备注/文号:榕仓政办〔2023〕21号
- 发布机构:福州市仓山区人民政府办公室
- 公文生成日期:2023-09-05
福州市仓山区人民政府办公室关于做好2023年秋季学期学生资助工作的通知
各街道办事处、镇人民政府，区直有关单位：
为做好秋季学期学生资助工作，现将有关事项通知如下。
"""

LOCAL_RULE = """\
宁德市蕉城区城乡居民最低生活保障实施办法
宁蕉政规〔2024〕2号
第一条 为规范最低生活保障工作，根据有关规定，制定本办法。
第二十条 本办法自2024年3月1日起施行，有效期5年。
宁德市蕉城区人民政府
2024年2月6日
"""

LAW = """\
# 城乡社区服务站管理条例

2018年3月2日 国务院第5次常务会议通过

2018年3月20日 中华人民共和国国务院令第699号公布\u3000

2018年5月1日 施行

<!-- INFO END -->

第一条 为了规范城乡社区服务站的管理，制定本条例。

第三十条 本条例自2018年5月1日起施行。
"""

SPLIT_REPORT_TITLE = """\
- 1 -
临沂市兰山区人民政府
2023 年政府信息公开工作年度报告
本报告由临沂市兰山区人民政府办公室根据《中华人民共和
国政府信息公开条例》（国令第 711 号）要求编制。报告中所列
数据统计期限自 2023 年 1 月 1 日起至 2023 年 12 月 31 日止。
一、总体情况
"""

REPORT_TITLE_WRAPPED_BY_PDF = """\
正文
2024 年杭州市科技局政府信息公开工作
年度报告
根据《中华人民共和国政府信息公开条例》的要求，编制本报告。
"""

SERVICE_GUIDE = """\
索引号:000019921/2022-03318
发布机构: 东岗镇
名称:临时救助办事指南
文号:
主题分类:社会救助
发布日期:2022-05-16
临时救助办事指南
一、适用范围
"""


def test_web_page_header_fields() -> None:
    meta = extract_metadata(WEB_PAGE_NOTICE, "notice.html")
    assert meta.title == "福州市仓山区人民政府办公室关于做好2023年秋季学期学生资助工作的通知"
    assert meta.index_number == "fz02203-1100-2023-00017"
    assert meta.doc_number == "榕仓政办〔2023〕21号"
    assert meta.agency == "福州市仓山区人民政府办公室"
    assert meta.issued == "2023-09-05"
    assert meta.region == "福州市仓山区"
    assert meta.doc_type == "通知"
    assert meta.year == 2023


@pytest.mark.parametrize(
    ("header_line", "expected"),
    [
        ("文号：国办发[2019]12号", "国办发〔2019〕12号"),
        ("发文字号：临政规（2024）3号", "临政规〔2024〕3号"),
        ("文 号 | 皖民规 ( 2022 ) 7 号 | 主 题 词 | |", "皖民规〔2022〕7号"),
        ("- 备注/文号:泉鲤政办〔2024〕3号", "泉鲤政办〔2024〕3号"),
    ],
)
def test_doc_number_brackets_are_normalised(header_line: str, expected: str) -> None:
    meta = extract_metadata(f"{header_line}\n关于做好防汛工作的通知\n各乡镇：\n")
    assert meta.doc_number == expected


def test_doc_number_of_a_cited_policy_at_the_end_is_not_the_documents_own() -> None:
    text = "文 号 | 无号 | 主 题 词 | |\n最低生活保障申请办事指南\n五、政策依据:\n《江苏省居民最低生活保障工作规程》\n文号:苏民规〔2020〕5号\n"
    assert extract_metadata(text).doc_number == ""


@pytest.mark.parametrize(
    "date_line",
    ["成文日期：2024-01-11", "发布日期：2024/1/11", "印发日期：2024年1月11日", "成文日期：2024 年 1 月 11 日"],
)
def test_issued_date_formats(date_line: str) -> None:
    assert extract_metadata(f"{date_line}\n关于开展春季植树活动的通知\n").issued == "2024-01-11"


def test_signature_date_in_chinese_numerals() -> None:
    text = "关于调整城乡低保标准的通知\n各乡镇人民政府：\n现将有关事项通知如下。\n泾川县人民政府\n二〇二四年一月十一日\n"
    meta = extract_metadata(text)
    assert meta.issued == "2024-01-11"
    assert meta.agency == "泾川县人民政府"
    assert meta.region == "泾川县"


def test_local_rule_effective_and_five_year_expiry() -> None:
    meta = extract_metadata(LOCAL_RULE)
    assert meta.doc_type == "规范性文件"
    assert meta.doc_number == "宁蕉政规〔2024〕2号"
    assert meta.issued == "2024-02-06"
    assert meta.effective == "2024-03-01"
    assert meta.expires == "2029-02-28"
    assert meta.agency == "宁德市蕉城区人民政府"
    assert meta.region == "宁德市蕉城区"
    assert meta.year == 2024


def test_in_force_from_publication_with_expiry_in_words() -> None:
    text = ("成文日期：2023年6月20日\n关于进一步规范临时救助工作的实施意见\n"
            "本意见自发布之日起施行，有效期为三年。\n")
    meta = extract_metadata(text)
    assert meta.effective == "2023-06-20"
    assert meta.expires == "2026-06-19"


def test_explicit_expiry_date() -> None:
    text = "印发日期：2022年12月1日\n某某市养老服务补贴办法\n本办法自2023年1月1日起施行，有效期至2027年12月31日。\n"
    meta = extract_metadata(text)
    assert (meta.effective, meta.expires) == ("2023-01-01", "2027-12-31")


def test_effective_date_of_another_regulation_is_ignored() -> None:
    text = "关于居住证办理的政策解读\n该条例将于2016年1月1日起施行，居住证有效期为一年。\n"
    meta = extract_metadata(text)
    assert (meta.effective, meta.expires) == ("", "")


def test_law_promulgation_block() -> None:
    meta = extract_metadata(LAW, "law.txt")
    assert meta.title == "城乡社区服务站管理条例"
    assert meta.doc_number == "国务院令第699号"
    assert meta.agency == "国务院"
    assert meta.issued == "2018-03-20"
    assert meta.effective == "2018-05-01"
    assert meta.doc_type == "法律法规"
    assert meta.region == ""
    assert meta.year == 2018


def test_revised_law_takes_the_latest_order_number() -> None:
    text = ("# 某某管理条例\n\n2007年4月5日 中华人民共和国国务院令第492号公布\n\n"
            "2019年4月3日 中华人民共和国国务院令第711号修订\n\n2019年5月15日 施行\n\n<!-- INFO END -->\n")
    meta = extract_metadata(text)
    assert meta.doc_number == "国务院令第711号"
    assert (meta.issued, meta.effective, meta.year) == ("2019-04-03", "2019-05-15", 2019)


def test_short_order_number_under_the_title_makes_a_law() -> None:
    meta = extract_metadata("农村五保供养工作条例\n（国令第 801 号）\n第一条 为了做好农村五保供养工作，制定本条例。\n")
    assert meta.doc_number == "国令第801号"
    assert meta.doc_type == "法律法规"


def test_supreme_court_rule_is_a_national_law() -> None:
    text = ("# 最高人民法院关于审理社会救助行政案件若干问题的规定\n\n"
            "2016年3月1日 最高人民法院公告公布\n\n2016年4月1日 施行\n\n<!-- INFO END -->\n")
    meta = extract_metadata(text)
    assert (meta.doc_type, meta.agency, meta.region) == ("法律法规", "最高人民法院", "")



def test_title_split_into_agency_subject_and_kind() -> None:
    text = "三明市人民政府\n关于印发三明市困难群众救助实施办法\n的通知\n明政文〔2024〕9号\n各县（市、区）人民政府：\n"
    meta = extract_metadata(text)
    assert meta.title == "三明市人民政府关于印发三明市困难群众救助实施办法的通知"
    assert (meta.doc_number, meta.region) == ("明政文〔2024〕9号", "三明市")


def test_expiry_from_29_february() -> None:
    meta = extract_metadata("成文日期：2024年2月29日\n某某县救助办法\n本办法自印发之日起施行，有效期5年。\n")
    assert meta.expires == "2029-02-28"

def test_annual_report_title_split_over_lines() -> None:
    meta = extract_metadata(SPLIT_REPORT_TITLE)
    assert meta.title == "临沂市兰山区人民政府2023年政府信息公开工作年度报告"
    assert meta.doc_type == "年度报告"
    assert meta.agency == "临沂市兰山区人民政府"
    assert meta.region == "临沂市兰山区"
    assert meta.year == 2023
    assert meta.doc_number == ""  # 国令第711号 is the regulation the report cites


def test_annual_report_title_wrapped_mid_phrase() -> None:
    meta = extract_metadata(REPORT_TITLE_WRAPPED_BY_PDF)
    assert meta.title == "2024年杭州市科技局政府信息公开工作年度报告"
    assert (meta.doc_type, meta.region, meta.year) == ("年度报告", "杭州市", 2024)


def test_annual_report_year_is_the_year_covered_not_the_year_issued() -> None:
    text = ("- 发布机构:漳州市芗城区人民政府办公室\n- 公文生成日期:2024-01-20\n"
            "芗城区2023年政府信息公开工作年度报告\n一、总体情况\n")
    meta = extract_metadata(text)
    assert (meta.issued, meta.year, meta.region) == ("2024-01-20", 2023, "漳州市芗城区")


def test_annual_report_without_a_title_line_names_itself_in_the_text() -> None:
    text = ("根据《中华人民共和国政府信息公开条例》，现将通渭县人民政府2024年政府信息公开工作年度报告予以公布。"
            "本报告中所列数据的统计期限自2024年1月1日起至2024年12月31日止。\n一、总体情况\n")
    meta = extract_metadata(text, "report.txt")
    assert meta.title == "通渭县人民政府2024年政府信息公开工作年度报告"
    assert (meta.doc_type, meta.region, meta.year) == ("年度报告", "通渭县", 2024)


def test_service_guide() -> None:
    meta = extract_metadata(SERVICE_GUIDE)
    assert meta.title == "临时救助办事指南"
    assert meta.doc_type == "办事指南"
    assert (meta.agency, meta.region) == ("东岗镇", "东岗镇")
    assert meta.index_number == "000019921/2022-03318"
    assert meta.doc_number == ""
    assert meta.issued == "2022-05-16"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("《莆田市城乡居民医疗救助办法》政策解读", "政策解读"),
        ("民政部有关负责人就《社会救助条例》答记者问", "政策解读"),
        ("关于低保申请的常见问答", "政策解读"),
        ("特困人员认定服务指南", "办事指南"),
        ("关于开展2024年度困难群众走访慰问工作的通知", "通知"),
        ("关于公布第三批区级非物质文化遗产名录的公告", "通知"),
        ("城区2024年工作要点", "其他"),
    ],
)
def test_doc_type_from_title(title: str, expected: str) -> None:
    assert extract_metadata(f"{title}\n正文第一段。\n").doc_type == expected


def test_local_measures_are_a_normative_document() -> None:
    text = "发布机构：南平市建阳区人民政府\n南平市建阳区困难群众临时救助实施细则\n"
    assert extract_metadata(text).doc_type == "规范性文件"


def test_web_chrome_is_not_the_title() -> None:
    text = "下载\n打印\n【字号：\n加大\n减小\n】\n2026年某某省政府工作报告\n——2026年1月20日在某某省人民代表大会上\n来源：某某日报\n"
    meta = extract_metadata(text)
    assert meta.title == "2026年某某省政府工作报告"
    assert meta.region == "某某省"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("时 效 | 已废止 |\n关于某某补贴的通知\n", "已废止"),
        ("【现行有效】\n关于某某补贴的通知\n", "现行有效"),
        ("效力状态：失效\n关于某某补贴的通知\n", "已失效"),
        ("某某区2023年政府信息公开工作年度报告\n本年废止规范性文件3件，现行有效件数12件。\n", "未知"),
    ],
)
def test_validity_only_from_the_header(header: str, expected: str) -> None:
    assert extract_metadata(header).validity == expected


def test_long_runs_of_place_suffixes_do_not_make_matching_slow() -> None:
    text = "本年度报告由" + "区" * 200 + "编制。\n" + "市" * 5000 + "\n"
    started = time.perf_counter()
    extract_metadata(text)
    assert time.perf_counter() - started < 2


def test_nothing_found_leaves_fields_empty_and_title_from_file_name() -> None:
    meta = extract_metadata("一、工作目标\n做好有关工作。\n", "some_policy.txt")
    assert meta.title == "some_policy"
    assert (meta.doc_number, meta.issued, meta.region, meta.validity, meta.year) == ("", "", "", "未知", None)


def test_sidecar_overrides_extracted_values(tmp_path: Path) -> None:
    doc = tmp_path / "policy.docx"
    doc.write_bytes(b"")
    (tmp_path / "policy.docx.meta.json").write_text(
        json.dumps({"title": "某某市住房保障办法", "doc_type": "规范性文件", "year": 2022}, ensure_ascii=False),
        encoding="utf-8")
    meta = extract_metadata(WEB_PAGE_NOTICE).merged(load_sidecar(doc))
    assert (meta.title, meta.doc_type, meta.year) == ("某某市住房保障办法", "规范性文件", 2022)
    assert meta.doc_number == "榕仓政办〔2023〕21号"  # not in the sidecar: kept from the text


def test_sidecar_beside_the_stem(tmp_path: Path) -> None:
    (tmp_path / "guide.meta.json").write_text('{"region": "连云港市连云区"}', encoding="utf-8")
    assert load_sidecar(tmp_path / "guide.pdf") == {"region": "连云港市连云区"}


def test_sidecar_saved_with_a_byte_order_mark(tmp_path: Path) -> None:
    (tmp_path / "notice.txt.meta.json").write_bytes('\ufeff{"agency": "某某县民政局"}'.encode())
    assert load_sidecar(tmp_path / "notice.txt") == {"agency": "某某县民政局"}


def test_no_sidecar(tmp_path: Path) -> None:
    assert load_sidecar(tmp_path / "alone.txt") == {}


def test_sidecar_with_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "bad.txt.meta.json").write_text('{"titel": "x"}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.txt\.meta\.json.*titel"):
        load_sidecar(tmp_path / "bad.txt")


def test_sidecar_with_unknown_doc_type(tmp_path: Path) -> None:
    (tmp_path / "bad.txt.meta.json").write_text('{"doc_type": "公文"}', encoding="utf-8")
    with pytest.raises(ValueError, match="doc_type"):
        load_sidecar(tmp_path / "bad.txt")

