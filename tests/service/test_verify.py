"""The citation verifier: facts, markers, sentences, and which sentences it lets through."""

from __future__ import annotations

import pytest

from service.generation.facts import cn_to_int, extract, normalize, unsupported
from service.generation.verify import (
    CitationVerifier,
    clean_sentence,
    overlap,
    parse_markers,
    split_sentences,
    strip_markers,
    supporting_unit,
)
from tests.service.generation_helpers import RELIEF, REVIEW, STANDARD

SOURCES = {1: STANDARD, 2: REVIEW, 3: RELIEF}


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("十五", 15), ("十", 10), ("二十", 20), ("一百二十", 120), ("二〇二四", 2024), ("三万", 30000), ("两千零五", 2005),
     ("统一", None)],
)
def test_chinese_numerals(numeral: str, value: int | None) -> None:
    assert cn_to_int(numeral) == value


def test_normalize_joins_spaced_numbers_but_not_table_cells() -> None:
    assert normalize("受理 1,295 件") == "受理1295件"
    assert normalize("申请数量 95 0 0 95") == "申请数量95 0 0 95"
    assert normalize("１０５０元，５％") == "1050元,5%"


def test_facts_of_a_sentence() -> None:
    facts = extract("依据临政规〔2024〕3号，自2024年3月1日起，标准提高12.5%，审核时限为十五个工作日，共1,295件。")
    assert facts.doc_numbers == {("临政规", "2024", "3")}
    assert facts.dates == {("2024", "3", "1")}
    assert facts.percents == {"12.5"}
    assert facts.numbers == {"15", "1295"}  # the year, month and day belong to the date, not to the numbers


def test_a_number_is_not_found_inside_a_longer_number() -> None:
    evidence = extract("补助标准为每人每月150元。", source=True)
    assert unsupported(extract("每人每月15元。"), evidence) == ["15"]
    assert unsupported(extract("每人每月150元。"), evidence) == []


def test_dates_match_across_formats() -> None:
    evidence = extract("施行日期：2024-03-01。成文日期：二〇二四年二月五日。", source=True)
    assert unsupported(extract("本办法自2024年3月1日起施行。"), evidence) == []
    assert unsupported(extract("本办法于2024年2月5日印发。"), evidence) == []
    assert unsupported(extract("本办法自3月1日起施行，2024年起执行。"), evidence) == []
    assert unsupported(extract("本办法自2024年4月1日起施行。"), evidence) == ["2024-4-1"]


def test_doc_numbers_must_match_prefix_year_and_number() -> None:
    evidence = extract("《临江区最低生活保障审核确认办法》（临政规〔2024〕3号）", source=True)
    assert unsupported(extract("依据临政规[2024]3号。"), evidence) == []
    assert unsupported(extract("依据临政发〔2024〕3号。"), evidence) == ["临政发〔2024〕3号"]
    assert unsupported(extract("依据临政规〔2024〕5号。"), evidence) == ["临政规〔2024〕5号"]


def test_chinese_numerals_in_a_sentence_are_checked_against_digits() -> None:
    evidence = extract(REVIEW, source=True)
    assert unsupported(extract("乡镇在十五个工作日内完成审核。"), evidence) == []
    assert unsupported(extract("乡镇在二十个工作日内完成审核。"), evidence) == ["20"]
    assert unsupported(extract("全区统一执行。"), evidence) == []  # 统一 is not a number


def test_percentages_must_appear_as_percentages() -> None:
    evidence = extract("资助比例为百分之五十，参保率达到98.5%。", source=True)
    assert unsupported(extract("资助比例为50%。"), evidence) == []
    assert unsupported(extract("参保率达到98.5%。"), evidence) == []
    assert unsupported(extract("参保率达到95%。"), evidence) == ["95%"]


@pytest.mark.parametrize(
    ("text", "numbers"),
    [("标准为1050元[1]。", [1]), ("见[1][2]。", [1, 2]), ("见[1,3]。", [1, 3]), ("见【2】。", [2]), ("见[1、2]。", [1, 2]),
     ("见[1-3]。", [1, 2, 3]), ("见［2］。", [2]), ("临政规[2024]3号没有引用。", []), ("[2][2][1]", [2, 1])],
)
def test_citation_markers(text: str, numbers: list[int]) -> None:
    assert parse_markers(text) == numbers


def test_sentences_keep_markers_written_after_the_full_stop() -> None:
    text = "低保标准为每人每月1050元。[1]乡镇15个工作日内审核[2]。\n临时救助不收费！[3] 没有引用的一句"
    assert split_sentences(text) == ["低保标准为每人每月1050元。[1]", "乡镇15个工作日内审核[2]。", "临时救助不收费！[3]",
                                     "没有引用的一句"]
    assert strip_markers("审核[2]。") == "审核。"


def test_list_numbering_and_markdown_are_not_facts() -> None:
    checks = CitationVerifier(0.3).check("1. **现行低保标准**为每人每月1050元[1]。\n（二）乡镇在15个工作日内完成审核[2]。", SOURCES)
    assert [c.text for c in checks] == ["现行低保标准为每人每月1050元。", "乡镇在15个工作日内完成审核。"]
    assert [c.verified for c in checks] == [True, True]
    assert clean_sentence("12.5%的家庭[1]。") == "12.5%的家庭。"


def test_overlap_is_the_share_of_sentence_bigrams_in_the_source() -> None:
    assert overlap("现行城乡低保标准为每人每月1050元", STANDARD) == 1.0
    assert overlap("今天天气很好", STANDARD) == 0.0
    assert 0.3 < overlap("临江区的低保标准是每人每月1050元", STANDARD) < 1.0


def test_supported_sentences_pass() -> None:
    checks = CitationVerifier(0.3).check("现行低保标准为每人每月1050元[1]。乡镇应当在15个工作日内完成审核[2]。", SOURCES)
    assert [c.verified for c in checks] == [True, True]
    assert [c.cited for c in checks] == [[1], [2]]


def test_a_sentence_with_an_invented_number_is_rejected() -> None:
    (check,) = CitationVerifier(0.3).check("现行低保标准为每人每月1200元[1]。", SOURCES)
    assert not check.verified
    assert check.reasons == ["unsupported_fact"]
    assert check.unsupported_facts == ["1200"]


def test_a_number_from_another_source_than_the_cited_one_is_rejected() -> None:
    (check,) = CitationVerifier(0.3).check("乡镇应当在15个工作日内完成审核[1]。", SOURCES)  # 15 is in [2], not in [1]
    assert not check.verified
    assert "unsupported_fact" in check.reasons


def test_a_sentence_without_a_citation_is_rejected() -> None:
    (check,) = CitationVerifier(0.3).check("现行低保标准为每人每月1050元。", SOURCES)
    assert not check.verified
    assert check.reasons[0] == "no_citation"


def test_a_citation_of_an_unknown_source_is_rejected() -> None:
    (check,) = CitationVerifier(0.3).check("现行低保标准为每人每月1050元[7]。", SOURCES)
    assert not check.verified
    assert check.reasons == ["unknown_source"]


def test_a_sentence_unrelated_to_its_source_is_rejected() -> None:
    (check,) = CitationVerifier(0.3).check("请大家尽情地吃吧，不必担心[1]。", SOURCES)
    assert not check.verified
    assert check.reasons == ["low_overlap"]


def test_threshold_is_validated() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        CitationVerifier(1.5)


def test_supporting_unit_prefers_the_unit_holding_the_facts() -> None:
    units = ["乡镇（街道）应当自受理之日起15个工作日内完成审核。", "区民政局应当自收到审核意见之日起10个工作日内作出确认决定。"]
    assert supporting_unit("区民政局10个工作日内确认", units) == 1
    assert supporting_unit("乡镇审核需要15个工作日", units) == 0
    assert supporting_unit("anything", []) == -1
