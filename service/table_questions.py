"""Read a numeric question about an annual report: which rows and columns, which years and places, what comparison.

Only questions that name a template row are taken ("新收…申请", "本机关不掌握", "行政复议…纠正", "行政许可"); the
rest ("主动公开了多少条信息") are left to the general answerer, which reads the report's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NUMERIC_RE = re.compile(r"多少|几[件个项起次]?|数量|数目|总计|合计|共计|是多少")
SHARE_RE = re.compile(r"占比|占多少|百分之|比例|比率|占了")
PREVIOUS_RE = re.compile(r"比上年|比去年|较上年|较去年|同比|与上年|和上年|跟上年|与去年|和去年|上一年相比|比前一年")
CHANGE_RE = re.compile(r"增加|减少|增长|下降|变化|相比|多了|少了|差|哪个多|哪个少|谁多|谁少")
YEAR_RE = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)\s*年")
PLACE_RE = re.compile(r"((?:(?![年的和与及在了里是个比])[\u4e00-\u9fff]){2,5}?(?:自治州|自治县|省|市|区|县|旗))")
GENERIC_PLACES = frozenset({"行政区", "本市", "本区", "本县", "全区", "全县", "全市", "城区", "市区", "地区"})

# (pattern, table, row key, what it is called in the answer); the first match per clause wins, specific first.
ROWS: list[tuple[re.Pattern[str], str, str, str]] = [
    (re.compile(p), t, k, w) for p, t, k, w in [
        (r"本机关不掌握|不掌握", "三", "unable_not_held", "因本机关不掌握相关政府信息而无法提供的申请"),
        (r"没有现成信息|另行制作", "三", "unable_not_existing", "因没有现成信息需要另行制作而无法提供的申请"),
        (r"补正后|仍不明确", "三", "unable_unclear", "补正后申请内容仍不明确的申请"),
        (r"无法提供", "三", "unable", "无法提供的申请"),
        (r"国家秘密", "三", "withheld_state_secret", "因属于国家秘密不予公开的申请"),
        (r"禁止公开", "三", "withheld_prohibited", "因其他法律行政法规禁止公开而不予公开的申请"),
        (r"三安全一稳定", "三", "withheld_three_safeties", "因危及“三安全一稳定”不予公开的申请"),
        (r"第三方", "三", "withheld_third_party", "因保护第三方合法权益不予公开的申请"),
        (r"内部事务", "三", "withheld_internal", "因属于三类内部事务信息不予公开的申请"),
        (r"过程性", "三", "withheld_process", "因属于四类过程性信息不予公开的申请"),
        (r"执法案卷", "三", "withheld_enforcement", "因属于行政执法案卷不予公开的申请"),
        (r"行政查询", "三", "withheld_query", "因属于行政查询事项不予公开的申请"),
        (r"不予公开", "三", "withheld", "不予公开的申请"),
        (r"信访|举报投诉", "三", "not_processed_petition", "信访举报投诉类申请（不予处理）"),
        (r"重复申请", "三", "not_processed_repeated", "重复申请（不予处理）"),
        (r"出版物", "三", "not_processed_publication", "要求提供公开出版物的申请（不予处理）"),
        (r"大量反复", "三", "not_processed_mass", "无正当理由大量反复申请（不予处理）"),
        (r"重新出具", "三", "not_processed_reissue", "要求行政机关确认或重新出具已获取信息的申请（不予处理）"),
        (r"不予处理", "三", "not_processed", "不予处理的申请"),
        (r"逾期不补正|不补正", "三", "other_no_correction", "申请人逾期不补正、不再处理的申请"),
        (r"收费通知|缴纳费用", "三", "other_no_fee", "申请人逾期未缴纳费用、不再处理的申请"),
        (r"其他处理", "三", "other", "其他处理的申请"),
        (r"部分公开", "三", "partly_granted", "部分公开的申请"),
        (r"(?<!不)(?:予以公开|同意公开)", "三", "granted", "予以公开的申请"),
        (r"(?:上年|去年|上一年度?)结转", "三", "carried_over", "上年结转的政府信息公开申请"),
        (r"结转(?:到|至)?下一?年度?|转入下一?年", "三", "carried_forward", "结转下年度继续办理的申请"),
        (r"办结|办理完|处理完|办理结果(?:总计|合计)", "三", "results_total", "办结（办理结果总计）的申请"),
        (r"(?:新收|收到|受理|接收|提出)[^，。？?]{0,16}申请|申请[^，。？?]{0,6}(?:新收|收到|受理)", "三", "new",
         "新收政府信息公开申请"),
        (r"行政许可", "二", "licensing", "行政许可本年处理决定数量"),
        (r"行政处罚", "二", "penalty", "行政处罚本年处理决定数量"),
        (r"行政强制", "二", "enforcement", "行政强制本年处理决定数量"),
        (r"行政事业性收费|收费金额", "二", "fees", "行政事业性收费金额"),
        (r"规范性文件", "二", "normative_documents", "行政规范性文件"),
        (r"规章", "二", "rules", "规章"),
        (r"行政复议", "四", "review:行政复议", "行政复议"),
        (r"行政诉讼|起诉|诉讼", "四", "review:行政诉讼", "行政诉讼"),
    ]
]
APPLICANTS = [
    (re.compile(r"自然人|个人|公民|群众|老百姓"), "自然人"),
    (re.compile(r"商业企业|企业|公司"), "商业企业"),
    (re.compile(r"科研机构"), "科研机构"),
    (re.compile(r"公益组织"), "社会公益组织"),
    (re.compile(r"法律服务机构|律师"), "法律服务机构"),
    (re.compile(r"法人或其他组织|法人"), "法人或其他组织"),
]
DOC_COLUMNS = [(re.compile(r"制发|印发|出台|新发|发布"), "本年制发件数"), (re.compile(r"废止"), "本年废止件数"),
               (re.compile(r"现行有效|有效的"), "现行有效件数")]
RESULTS = [(re.compile(r"维持"), "结果维持"), (re.compile(r"纠正|纠错"), "结果纠正"), (re.compile(r"其他结果"), "其他结果"),
           (re.compile(r"尚未审结|未审结|还没审结"), "尚未审结")]
SINGLE_COLUMN = {"licensing": "本年处理决定数量", "penalty": "本年处理决定数量", "enforcement": "本年处理决定数量",
                 "fees": "本年收费金额（单位：万元）"}


@dataclass
class Ask:
    """One number asked for: a template row (or a group of rows) in one column (or several columns added up)."""

    table: str
    row: str
    columns: list[str]
    what: str


@dataclass
class TableQuery:
    asks: list[Ask]
    years: list[int] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    compare: str = ""  # "" | "previous_year" | "years" | "places"


def read_question(question: str) -> TableQuery | None:
    """What a numeric question about report tables asks for, or None when it names no template row."""
    q = re.sub(r"\s+", "", question)
    if not NUMERIC_RE.search(q) and not CHANGE_RE.search(q) or SHARE_RE.search(q):
        return None
    asks = [a for clause in re.split(r"[？?；;。]|，(?=[^，]*(?:多少|几))", q) if clause for a in _asks(clause)]
    if not asks:
        return None
    years = [int(y) for y in dict.fromkeys(YEAR_RE.findall(q))]
    places = [p for p in dict.fromkeys(PLACE_RE.findall(q)) if p not in GENERIC_PLACES]
    compare = ""
    if PREVIOUS_RE.search(q):
        compare = "previous_year"
    elif len(years) >= 2 and CHANGE_RE.search(q):
        compare = "years"
    elif len(places) >= 2 and (CHANGE_RE.search(q) or "哪" in q):
        compare = "places"
    return TableQuery(asks, years, places, compare)


def _asks(clause: str) -> list[Ask]:
    for pattern, table, row, what in ROWS:
        if not pattern.search(clause):
            continue
        if table == "三":
            applicant = next((name for rx, name in APPLICANTS if rx.search(clause)), "总计")
            columns = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"] if applicant == "法人或其他组织" \
                else [applicant]
            label = what if applicant == "总计" else f"{applicant}提出的{what}"
            return [Ask(table, row, columns, label)]
        if table == "二":
            if row in SINGLE_COLUMN:
                return [Ask(table, row, [SINGLE_COLUMN[row]], what)]
            column = next((name for rx, name in DOC_COLUMNS if rx.search(clause)), "")
            return [Ask(table, row, [column], f"{what}{column}")] if column else []
        return [_review_ask(clause, row.split(":")[1])]
    return []


def _review_ask(clause: str, kind: str) -> Ask:
    result = next((name for rx, name in RESULTS if rx.search(clause)), "总计")
    if kind == "行政复议":
        groups = ["行政复议"]
    elif re.search(r"未经复议|直接起诉", clause):
        groups = ["行政诉讼（未经复议直接起诉）"]
    elif "复议后" in clause:
        groups = ["行政诉讼（复议后起诉）"]
    else:
        groups = ["行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"]
    return Ask("四", "review", [f"{g}{result}" for g in groups], f"{'、'.join(groups)}{result}")
