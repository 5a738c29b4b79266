"""Metadata read from a policy document's own text: title, 索引号, 文号, agency, dates, type, region and year.

Chinese government documents state these in a few recurring shapes: a key/value header copied from the
publishing web page (``- 索 引 号:qz01101-...``, ``发布机构 | ...``), a law's promulgation block
(``2019年5月15日 施行``), a signature and date at the end, phrases like ``本办法自2024年3月1日起施行，有效期5年``,
and the title itself, often split over lines by PDF extraction. Every rule prefers leaving a field empty to
guessing; a sidecar ``NAME.meta.json`` (see `load_sidecar`) overrides anything found here.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields
from datetime import date, timedelta
from pathlib import Path
from typing import get_args

from retriever.types import DOC_TYPES, DocumentMeta, Validity

HEADER_LINES = 30  # web-page headers, titles and promulgation blocks all sit within the first lines
HEADER_CHARS = 3000  # some PDFs put whole pages on one line
LAW_INFO_END = "<!-- INFO END -->"  # ends the promulgation block of the law texts

_GAP = r"[ \t\u3000]*"  # spaces on one line: PDF text puts them inside numbers and labels
DATE = r"\d{4}\s*[年/.\-]\s*\d{1,2}\s*[月/.\-]\s*\d{1,2}\s*日?"
DATE_PARTS_RE = re.compile(r"(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})")
CHINESE_DATE_RE = re.compile(r"([〇零○Ｏ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日")
DATE_LINE_RE = re.compile(rf"^[（(]?{DATE}[)）]?(?:\s*\d{{1,2}}\s*[:时]\s*\d{{2}}.*)?$")
DAY_FIRST_STAMP_RE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s+\d{1,2}:\d{2}\s*$", re.M)  # "13.12.2015  08:33"

ORDER_NUMBER = rf"(?:中华人民共和国)?[\u4e00-\u9fff]{{0,12}}?令{_GAP}第{_GAP}[\d一二三四五六七八九十百零〇]+{_GAP}号"
DOC_NUMBER = rf"[\u4e00-\u9fff]{{1,12}}{_GAP}[〔\[［（(【]{_GAP}\d{{4}}{_GAP}[〕\]］）)】]{_GAP}第?{_GAP}\d+{_GAP}号|{ORDER_NUMBER}"
DOC_NUMBER_LINE_RE = re.compile(rf"^[（(]?({DOC_NUMBER})[）)]?$")
ORDER_NUMBER_RE = re.compile(ORDER_NUMBER)
OPEN_BRACKETS_RE, CLOSE_BRACKETS_RE = re.compile(r"[\[［（(【]"), re.compile(r"[\]］）)】]")

LAW_EVENT_RE = re.compile(rf"^\s*(?P<date>{DATE})\s*(?P<what>.*?)(?P<act>公布|发布|修订|修正|通过|施行)\s*$", re.M)
PROMULGATION_ACTS = ("公布", "发布", "修订", "修正")
LAWMAKER_RE = re.compile(r"全国人民代表大会常务委员会|全国人民代表大会|最高人民法院|最高人民检察院|国务院|[\u4e00-\u9fff]{2,10}?部(?=令)")
NATIONAL_AGENCY_RE = re.compile(r"^(?:国务院|全国|最高人民|中共中央|中华人民共和国|国家)|^[^省市县区州]{1,10}部(?:办公厅)?$")

AGENCY_TAIL = r"人民政府办公室|人民政府办公厅|人民政府|政府办公室|政府办公厅|委员会|办事处|办公室|办公厅|局|厅|委|院|部|中心|政府"
SIGNATURE_RE = re.compile(
    rf"^{_GAP}(?P<agency>[\u4e00-\u9fff]{{2,30}}?(?:{AGENCY_TAIL})){_GAP}\n{_GAP}[（(]?(?P<date>{DATE})[)）]?{_GAP}$", re.M)
PLACE_CHAR = r"(?:(?!人民|政府|关于|印发|的)[\u4e00-\u9fff])"  # so that a region stops at "人民政府", "关于…"
# Each unit is the shortest name before a suffix, taken atomically: backtracking over ways to split a long run of
# characters into units is exponential.
REGION = rf"(?>{PLACE_CHAR}{{2,10}}?(?:省|自治区|自治州|自治县|市|州(?![市县区])|地区|盟|区|县|旗|镇|乡|街道)|{PLACE_CHAR}县)++"
REGION_AT_START_RE = re.compile(rf"^(?:\d{{4}}\s*年度?)?(?!关于)(?P<region>{REGION})")
# At the start of a title a region must name a 省/市/县/州 or be followed by a government, a year or 关于:
# "城镇老旧小区改造方案" and "开发区管理办法" name no region.
TITLE_REGION_CONTEXT_RE = re.compile(r"人民政府|政府|关于|\s*\d{4}|[\u4e00-\u9fff]{0,10}?(?:局|委|厅|办公|办事处)")
TITLE_AGENCY_RE = re.compile(rf"^(?:\d{{4}}\s*年度?)?(?P<agency>{REGION}(?:人民政府办公室|人民政府办公厅|人民政府))")
CONTACT_AGENCY_RE = re.compile(
    rf"(?:请与|请联系[:：]?|由)\s*(?P<agency>{REGION}(?:人民政府办公室|人民政府办公厅|人民政府|政府办公室|政府办公厅))")
AGENCY_LINE_RE = re.compile(rf"^{REGION}[\u4e00-\u9fff]*(?:{AGENCY_TAIL})$")

MARKDOWN_TITLE_RE = re.compile(r"^#[ \t]+(.+)$", re.M)
BOOK_TITLE_LINE_RE = re.compile(r"^《([^《》]+)》$")
NEWS_TITLE_RE = re.compile(r"电\s*题[:：]\s*(?P<title>[^。\n]{4,80})")
REPORT_TITLE_PHRASE_RE = re.compile(r"(?:现将|现向社会公布|特向社会公布|现公开|现予公布)(?P<title>[^，,。《》“”\n]{2,40}?年度报告)")
TITLE_ENDING_RE = re.compile(r"(?:报告|通知|通告|公告|办法|细则|规定|条例|意见|决定|方案|规划|指南|解读|答记者问|问答"
                             r"|批复|函|规则|措施|标准|纪要|公报|制度|清单|年报)(?:[（(][^（）()]{1,20}[）)])?$")
PAGE_MARK_RE = re.compile(r"^[-—–－\s]*\d+[-—–－\s]*$")
KEY_VALUE_LINE_RE = re.compile(r"\||^[-•·*\s]*[\u4e00-\u9fff][\u4e00-\u9fff /]{0,9}[:：]")
WEB_CHROME_RE = re.compile(r"^(?:.{0,2}|[【】\[\]].*|——.*|[（(]此件.*|.*(?:字号|字体|打印|下载|收藏|全屏|分享|当前位置|您的位置"
                           r"|首页|扫一扫|阅读次数|关闭窗口)|正文|加大|还原|减小)$")
SENTENCE_PUNCT_RE = re.compile(r"[。，,；;：:？?！!]")
BODY_START_RE = re.compile(r"^(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十百]+[条章]|#{2,}\s)")
INNER_SPACE_RE = re.compile(r"(?<=[\u4e00-\u9fff\d〔〕（）《》“”])\s+(?=[\u4e00-\u9fff\d〔〕（）《》“”])")

SELF = r"本(?:暂行)?(?:办法|规定|条例|通知|意见|细则|决定|文件|方案|规则|措施|标准|指南|制度|政策|规程|准则|公告|通告)"
SELF_RE = re.compile(SELF)
SENTENCE_END_RE = re.compile(r"[。\n]")
EFFECTIVE_ON_RE = re.compile(rf"自\s*(?P<date>{DATE})\s*起\s*(?:施行|实施|执行|生效)")
EFFECTIVE_ON_ISSUE_RE = re.compile(r"自(?:发布|印发|公布|颁布|发文)之日起\s*(?:施行|实施|执行|生效)")
EXPIRES_ON_RE = re.compile(rf"有效期(?:至|截至|到)\s*(?P<date>{DATE})")
VALID_FOR_RE = re.compile(r"有效期(?:为|限为)?\s*(?P<years>[\d一二两三四五六七八九十]+)\s*年")
VALIDITY_LINE_RE = re.compile(r"^[【\[（(]?(现行有效|已废止|废止|已失效|失效)[】\]）)]?$", re.M)
VALIDITY_WORDS = (("尚未施行", "尚未施行"), ("未生效", "尚未施行"), ("已修改", "已修改"), ("废止", "已废止"),
                  ("失效", "已失效"), ("有效", "现行有效"))

ANNUAL_REPORT_RE = re.compile(r"政府信息公开(?:工作)?年度报告|年报")
ANNUAL_REPORT_BODY_RE = re.compile(r"政府信息公开(?:工作)?(?:年度|情况)报告|本年度报告")
INTERPRETATION_RE = re.compile(r"解读|答记者问|问答")
GUIDE_RE = re.compile(r"办事指南|服务指南|办理指南")
LAW_TITLE_RE = re.compile(r"(?:条例|法|规定|办法|规则)$")
LOCAL_RULE_TITLE_RE = re.compile(r"办法|细则|规定|意见")
NOTICE_RE = re.compile(r"通知|公告|通告")
TRAILING_NOTE_RE = re.compile(r"[（(][^（）()]*[）)]$")
REPORT_PERIOD_RE = re.compile(r"统计(?:期限|周期|时限)?[^。\n\d]{0,12}(\d{4})\s*年|(\d{4})\s*年度?政府信息公开")
YEAR_RE = re.compile(r"(\d{4})\s*年")

LawEvent = tuple[str, str, str]  # (ISO date, 公布/修订/施行…, what the line says before the act)
_CHINESE_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0, "两": 2}
_FIELD_NAMES = frozenset(f.name for f in fields(DocumentMeta))


def extract_metadata(text: str, source: str = "") -> DocumentMeta:
    """Read what the text says about itself; fields it does not state stay empty ("未知" for validity)."""
    text = _prepare(text)
    lines = [line.strip() for line in text.splitlines()]
    head = _header(text)
    events = [(_iso(m["date"]), m["act"], m["what"]) for m in LAW_EVENT_RE.finditer(head)]
    title = _title(lines, text, head)
    doc_number = _doc_number(head, lines, events)
    issued = _issued(head, text, events)
    effective, expires = _effective_and_expiry(text, events, issued)
    annual_report = bool(ANNUAL_REPORT_RE.search(title) if title else ANNUAL_REPORT_BODY_RE.search(text[:400]))
    agency = _agency(head, text, events, title, annual_report)
    national = bool(NATIONAL_AGENCY_RE.search(agency) or doc_number.startswith(("国务院令", "国令", "主席令")))
    region = "" if national else _region(agency, title)
    doc_type = "年度报告" if annual_report else _doc_type(title, doc_number, national, bool(agency or region))
    return DocumentMeta(
        title=title or Path(source).stem, index_number=_field(head, ("索引号",), r"[A-Za-z0-9][A-Za-z0-9\-/_.]*"),
        doc_number=doc_number, agency=agency, issued=issued, effective=effective, expires=expires,
        doc_type=doc_type, region=region, validity=_validity(head), year=_year(annual_report, title, text, issued))


def load_sidecar(path: Path) -> dict[str, object]:
    """Read the metadata overrides stored beside `path` (`b.docx.meta.json` or `b.meta.json`); {} when there are none.

    Raises ValueError naming the file when it is not a JSON object, has a key DocumentMeta does not know, or gives
    a doc_type or validity outside the allowed values.
    """
    candidates = (path.with_name(path.name + ".meta.json"), path.with_name(path.stem + ".meta.json"))
    sidecar = next((p for p in candidates if p.is_file()), None)
    if sidecar is None:
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{sidecar}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{sidecar}: expected a JSON object of metadata fields")
    for key, value in data.items():
        if key not in _FIELD_NAMES:
            raise ValueError(f"{sidecar}: unknown metadata key {key!r}; known: {', '.join(sorted(_FIELD_NAMES))}")
        allowed = {"doc_type": DOC_TYPES, "validity": get_args(Validity)}.get(key)
        if allowed and value not in allowed:
            raise ValueError(f"{sidecar}: {key} must be one of {', '.join(allowed)}, not {value!r}")
    return data


def _prepare(text: str) -> str:
    """Unify what varies without meaning: line endings, full-width digits, dates written in Chinese numerals."""
    text = text.replace("\r\n", "\n").translate({0xFF10 + i: str(i) for i in range(10)})
    return CHINESE_DATE_RE.sub(lambda m: "".join(
        (str(_chinese_int(m[1])), "年", str(_chinese_int(m[2])), "月", str(_chinese_int(m[3])), "日")), text)


def _header(text: str) -> str:
    end = text.find(LAW_INFO_END)
    head = text[:end] if end >= 0 else "\n".join(text.splitlines()[:HEADER_LINES])
    return head[:HEADER_CHARS]


def _chinese_int(numeral: str) -> int:
    """二〇二四 -> 2024 (digit by digit); 十一 -> 11, 二十 -> 20, 三十一 -> 31; plain digits pass through."""
    if numeral.isdigit():
        return int(numeral)
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return (_CHINESE_DIGITS[tens] if tens else 1) * 10 + (_CHINESE_DIGITS[ones] if ones else 0)
    return int("".join(str(_CHINESE_DIGITS[c]) for c in numeral))


def _iso(text: str) -> str:
    match = DATE_PARTS_RE.search(text)
    try:
        return date(*(int(part) for part in match.groups())).isoformat() if match else ""
    except ValueError:
        return ""


def _squeeze(text: str) -> str:
    """Drop the spaces PDF extraction puts inside numbers and between Chinese words."""
    return INNER_SPACE_RE.sub("", text.strip().lstrip("#").strip())


def _field(head: str, labels: tuple[str, ...], value: str) -> str:
    """The value after the first of `labels` found in the header, as in `索 引 号:`, `发布机构 |`, `- 文号：`."""
    for label in labels:
        spaced = _GAP.join(map(re.escape, label))
        found = re.search(rf"(?<![\u4e00-\u9fff]){spaced}{_GAP}[:：|]{_GAP}", head)
        if found:  # the first occurrence is the header's; a later one belongs to a document the text cites
            match = re.compile(value).match(head, found.end())
            return match[0].strip() if match else ""
    return ""


def _title(lines: list[str], text: str, head: str) -> str:
    """A markdown `# ` title, a 标题 field, a title line near the top, or the title a news item or report quotes."""
    markdown = MARKDOWN_TITLE_RE.search(text[:HEADER_CHARS])
    labelled = _field(head, ("标题", "文件名称"), r"[^\s|]{4,80}")
    found = markdown[1] if markdown else labelled or _title_from_lines(lines[:HEADER_LINES])
    if not found:
        phrase = NEWS_TITLE_RE.search(text[:HEADER_CHARS]) or REPORT_TITLE_PHRASE_RE.search(text[:HEADER_CHARS])
        found = phrase["title"] if phrase else ""
    return _squeeze(found)


def _title_from_lines(lines: list[str]) -> str:
    """The first line that reads as a title, joined with the fragment PDF extraction split off it."""
    usable = [_is_title_part(line) for line in lines]
    for i, line in enumerate(lines):
        if BODY_START_RE.match(line):
            break
        if not usable[i]:
            continue
        if book := BOOK_TITLE_LINE_RE.match(line):
            return book[1]
        if not TITLE_ENDING_RE.search(_squeeze(line)):
            continue
        prev = lines[i - 1] if i and usable[i - 1] and not TITLE_ENDING_RE.search(lines[i - 1]) else ""
        after_agency = AGENCY_LINE_RE.match(_squeeze(prev)) and (YEAR_RE.match(_squeeze(line)) or line.startswith("关于"))
        if prev and (after_agency or len(line) <= 8 or "关于" in prev):
            line = prev + line
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        return line + nxt if nxt.startswith("的") and TITLE_ENDING_RE.search(nxt) else line
    return ""


def _is_title_part(line: str) -> bool:
    if not line or len(line) > 80 or SENTENCE_PUNCT_RE.search(line) or DAY_FIRST_STAMP_RE.match(line):
        return False
    return not any(rx.match(line) for rx in (PAGE_MARK_RE, KEY_VALUE_LINE_RE, WEB_CHROME_RE, DATE_LINE_RE))


def _doc_number(head: str, lines: list[str], events: list[LawEvent]) -> str:
    """Labelled 文号, else the 令 number of the latest promulgation, else a 文号 standing alone near the top."""
    found = _field(head, ("备注/文号", "发文字号", "文号", "发文号"), DOC_NUMBER)
    if not found:
        orders = [m[0] for _, act, what in events if act in PROMULGATION_ACTS and (m := ORDER_NUMBER_RE.search(what))]
        standalone = (m[1] for line in lines[:HEADER_LINES] if (m := DOC_NUMBER_LINE_RE.match(line)))
        found = orders[-1] if orders else next(standalone, "")
    found = re.sub(r"\s+", "", found).removeprefix("中华人民共和国")
    return CLOSE_BRACKETS_RE.sub("〕", OPEN_BRACKETS_RE.sub("〔", found))


def _issued(head: str, text: str, events: list[LawEvent]) -> str:
    labels = ("成文日期", "印发日期", "发文日期", "公文生成日期", "生成日期", "发布日期", "发布时间", "时间")
    promulgated = sorted(day for day, act, _ in events if act in PROMULGATION_ACTS and day)
    signatures = [m["date"] for m in SIGNATURE_RE.finditer(text)]
    stamp = DAY_FIRST_STAMP_RE.search(head)
    stamped = _iso(f"{stamp[3]}-{stamp[2]}-{stamp[1]}") if stamp else ""
    labelled = _iso(_field(head, labels, DATE))
    return labelled or (promulgated[-1] if promulgated else "") or (_iso(signatures[-1]) if signatures else stamped)


def _effective_and_expiry(text: str, events: list[LawEvent], issued: str) -> tuple[str, str]:
    """施行 date from the promulgation block or the document's own "本办法自…起施行"; expiry from its 有效期."""
    own = "。".join(s for s in SENTENCE_END_RE.split(text) if SELF_RE.search(s))
    effective = next((day for day, act, _ in events if act == "施行" and day), "")
    if not effective and (match := EFFECTIVE_ON_RE.search(own)):
        effective = _iso(match["date"])
    if not effective and EFFECTIVE_ON_ISSUE_RE.search(own):
        effective = issued
    if match := EXPIRES_ON_RE.search(own):
        return effective, _iso(match["date"])
    start = effective or issued
    if start and (match := VALID_FOR_RE.search(own)):
        return effective, _day_before_anniversary(date.fromisoformat(start), _chinese_int(match["years"]))
    return effective, ""


def _day_before_anniversary(start: date, years: int) -> str:
    """有效期5年 from 2024-03-01 runs to 2029-02-28; from 2024-02-29 it also ends on 2029-02-28."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February in a year that has none
        anniversary = date(start.year + years, 3, 1)
    return (anniversary - timedelta(days=1)).isoformat()


def _agency(head: str, text: str, events: list[LawEvent], title: str, annual_report: bool) -> str:
    """Labelled 发布机构, else the lawmaker of a law, else the signature, else the government a report names."""
    labelled = _field(head, ("发布机构", "发文机关", "发文单位", "制发机关", "发布单位"), r"[^\s|:：,，]{2,40}")
    lawmaker = LAWMAKER_RE.search(" ".join(what for _, _, what in events))
    if labelled or lawmaker:
        return labelled or lawmaker[0]
    signatures = [m["agency"] for m in SIGNATURE_RE.finditer(text)]
    if signatures:
        return signatures[-1]
    if not annual_report:
        return ""
    named = TITLE_AGENCY_RE.match(title) or CONTACT_AGENCY_RE.search(text[:HEADER_CHARS])
    return named["agency"] if named else ""


def _region(agency: str, title: str) -> str:
    if match := REGION_AT_START_RE.match(agency):
        return match["region"]
    match = REGION_AT_START_RE.match(title)
    if match and (re.search("[省市县州]", match["region"]) or TITLE_REGION_CONTEXT_RE.match(title, match.end())):
        return match["region"]
    return ""


def _doc_type(title: str, doc_number: str, national: bool, local: bool) -> str:
    bare = TRAILING_NOTE_RE.sub("", title)
    if INTERPRETATION_RE.search(title):
        return "政策解读"
    if GUIDE_RE.search(title):
        return "办事指南"
    if "令第" in doc_number or (national and LAW_TITLE_RE.search(bare)):
        return "法律法规"
    if "规" in doc_number or (local and not national and LOCAL_RULE_TITLE_RE.search(title)):
        return "规范性文件"
    return "通知" if NOTICE_RE.search(title) else "其他"


def _validity(head: str) -> str:
    """Only what the header says of the document itself: a 时效 field or a standalone 【现行有效】 line."""
    stated = _field(head, ("时效", "时效性", "效力状态", "有效性"), r"[\u4e00-\u9fff]{2,6}")
    if not stated and (line := VALIDITY_LINE_RE.search(head)):
        stated = line[1]
    return next((value for word, value in VALIDITY_WORDS if word in stated), "未知")


def _year(annual_report: bool, title: str, text: str, issued: str) -> int | None:
    """A report's year is the year it covers; anything else's is the year it was issued."""
    in_title = YEAR_RE.search(title)
    if annual_report and not in_title and (period := REPORT_PERIOD_RE.search(text[:HEADER_CHARS])):
        return int(period[1] or period[2])
    if issued and not annual_report:
        return int(issued[:4])
    return int(in_title[1]) if in_title else None
