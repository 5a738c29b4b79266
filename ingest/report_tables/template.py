"""The national template of the 政府信息公开工作年度报告 (国办公开办函〔2021〕30号): its tables, rows and columns.

Reports copy the template's labels with small variations (typos such as "其他法律行政止公开", labels broken over
lines, parents and children on one line), so every row is recognised by a few key phrases rather than by its full
label, and the template's fixed row order decides where labels are missing or garbled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SECTION_TITLES = {
    "二": "主动公开政府信息情况",
    "三": "收到和处理政府信息公开申请情况",
    "四": "政府信息公开行政复议、行政诉讼情况",
}

APPLICANT_COLUMNS: tuple[str, ...] = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
RESULT_COLUMNS: tuple[str, ...] = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
REVIEW_GROUPS: tuple[str, ...] = ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")
REVIEW_COLUMNS: tuple[str, ...] = tuple(f"{g}{c}" for g in REVIEW_GROUPS for c in RESULT_COLUMNS)


@dataclass(frozen=True)
class RowSpec:
    """One row of a template table: a stable key, its label path as the template prints it, and how to spot it."""

    key: str
    path: tuple[str, ...]
    pattern: re.Pattern[str]
    group: str = ""  # the key of the parent row whose sub-rows this row belongs to

    @property
    def label(self) -> str:
        return self.path[-1]


def _row(key: str, path: tuple[str, ...], pattern: str, group: str = "") -> RowSpec:
    return RowSpec(key, path, re.compile(pattern), group)


_RESULTS = "三、本年度办理结果"
_WITHHELD = (_RESULTS, "（三）不予公开")
_UNABLE = (_RESULTS, "（四）无法提供")
_NOT_PROCESSED = (_RESULTS, "（五）不予处理")
_OTHER = (_RESULTS, "（六）其他处理")

# Section 三, in template order: 25 data rows. Patterns run on labels with all whitespace removed.
APPLICATION_ROWS: tuple[RowSpec, ...] = (
    _row("new", ("一、本年新收政府信息公开申请数量",), r"本年新收|新收政府信息"),
    _row("carried_over", ("二、上年结转政府信息公开申请数量",), r"上年结转"),
    _row("granted", (_RESULTS, "（一）予以公开"), r"予以公开"),
    _row("partly_granted", (_RESULTS, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"), r"部分公开"),
    _row("withheld_state_secret", (*_WITHHELD, "1.属于国家秘密"), r"国家秘密", "withheld"),
    _row("withheld_prohibited", (*_WITHHELD, "2.其他法律行政法规禁止公开"), r"其他法律|禁止公开", "withheld"),
    _row("withheld_three_safeties", (*_WITHHELD, "3.危及“三安全一稳定”"), r"三安全|一稳定", "withheld"),
    _row("withheld_third_party", (*_WITHHELD, "4.保护第三方合法权益"), r"第三方", "withheld"),
    _row("withheld_internal", (*_WITHHELD, "5.属于三类内部事务信息"), r"内部事务", "withheld"),
    _row("withheld_process", (*_WITHHELD, "6.属于四类过程性信息"), r"过程性", "withheld"),
    _row("withheld_enforcement", (*_WITHHELD, "7.属于行政执法案卷"), r"执法案卷", "withheld"),
    _row("withheld_query", (*_WITHHELD, "8.属于行政查询事项"), r"行政查询", "withheld"),
    _row("unable_not_held", (*_UNABLE, "1.本机关不掌握相关政府信息"), r"不掌握", "unable"),
    _row("unable_not_existing", (*_UNABLE, "2.没有现成信息需要另行制作"), r"没有现成|另行制作", "unable"),
    _row("unable_unclear", (*_UNABLE, "3.补正后申请内容仍不明确"), r"补正后|仍不明确", "unable"),
    _row("not_processed_petition", (*_NOT_PROCESSED, "1.信访举报投诉类申请"), r"信访|举报投诉", "not_processed"),
    _row("not_processed_repeated", (*_NOT_PROCESSED, "2.重复申请"), r"重复申请", "not_processed"),
    _row("not_processed_publication", (*_NOT_PROCESSED, "3.要求提供公开出版物"), r"出版物", "not_processed"),
    _row("not_processed_mass", (*_NOT_PROCESSED, "4.无正当理由大量反复申请"), r"大量反复", "not_processed"),
    _row("not_processed_reissue", (*_NOT_PROCESSED, "5.要求行政机关确认或重新出具已获取信息"),
         r"重新出具|确认或重", "not_processed"),
    _row("other_no_correction", (*_OTHER, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
         r"逾期不补正|不补正", "other"),
    _row("other_no_fee", (*_OTHER, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
         r"收费通知|缴纳费用", "other"),
    _row("other_other", (*_OTHER, "3.其他"), r"(?:^|[\d.．、）)])其他$", "other"),
    _row("results_total", (_RESULTS, "（七）总计"), r"（七）总计|\(七\)总计|^总计$"),
    _row("carried_forward", ("四、结转下年度继续办理",), r"结转下年度|结转下一年度|转下年度"),
)

# Parents that some reports fill as one row instead of their sub-rows ("（六）其他处理 0 0 0 0 0 0 0").
APPLICATION_GROUPS: tuple[RowSpec, ...] = (
    _row("withheld", _WITHHELD, r"不予公开$"),
    _row("unable", _UNABLE, r"无法提供$"),
    _row("not_processed", _NOT_PROCESSED, r"不予处理$"),
    _row("other", _OTHER, r"其他处理$"),
)
RESULT_ROW_KEYS: tuple[str, ...] = ("granted", "partly_granted", "withheld", "unable", "not_processed", "other")

# Section 二: (key, label, pattern, columns).
DISCLOSURE_ROWS: tuple[tuple[RowSpec, tuple[str, ...]], ...] = (
    (_row("rules", ("第二十条第（一）项", "规章"), r"^规章$"), ("本年制发件数", "本年废止件数", "现行有效件数")),
    (_row("normative_documents", ("第二十条第（一）项", "行政规范性文件"), r"^(?:行政)?规范性文件$"),
     ("本年制发件数", "本年废止件数", "现行有效件数")),
    (_row("licensing", ("第二十条第（五）项", "行政许可"), r"^行政许可$"), ("本年处理决定数量",)),
    (_row("penalty", ("第二十条第（六）项", "行政处罚"), r"^行政处罚$"), ("本年处理决定数量",)),
    (_row("enforcement", ("第二十条第（六）项", "行政强制"), r"^行政强制$"), ("本年处理决定数量",)),
    (_row("fees", ("第二十条第（八）项", "行政事业性收费"), r"^行政事业性收费$"), ("本年收费金额（单位：万元）",)),
)

REVIEW_ROW = _row("review", ("行政复议、行政诉讼",), r".")

TABLE_NAMES = {"二": "主动公开政府信息情况", "三": "收到和处理政府信息公开申请情况", "四": "行政复议、行政诉讼情况"}

ROWS_BY_KEY: dict[str, RowSpec] = {
    r.key: r for r in (*APPLICATION_ROWS, *APPLICATION_GROUPS, *(spec for spec, _ in DISCLOSURE_ROWS), REVIEW_ROW)
}
