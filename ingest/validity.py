"""What a document says about the validity of documents: repeal and amendment clauses, 清理 lists, interpretations.

Policy documents state these in a few recurring shapes:

- a repeal clause at the end: "本办法自2024年3月1日起施行……《临江区城乡最低生活保障实施细则》（临政发〔2019〕12号）同时废止",
  "同时废止《…》", "原《…》（…）自本办法施行之日起废止";
- an amendment: "关于修改《…》的决定", "对《…》作如下修改";
- a 规范性文件清理 announcement: sentences ("《…》（…）等6件行政规范性文件予以废止") and lists under headings
  ("宣布废止的行政规范性文件目录") whose rows give a title, a 文号 and a reason ("已被《…》（…）替代");
- a 政策解读 naming the document it explains ("解读文件：《…》（…）", "《…》政策解读").

Each becomes a `Relation` naming its target by title and 文号, with the span that states it. Targets are resolved
against the index later, so a repeal may arrive before or after the document it repeals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from ingest.metadata import DATE, DOC_NUMBER, extract_metadata
from retriever.types import DocumentMeta

KINDS = ("repeals", "lapses", "amends", "supersedes", "interprets", "confirms")
DOC_NUMBER_RE = re.compile(DOC_NUMBER)
NUMBER_PARTS_RE = re.compile(r"^(?P<prefix>\D*?)〔(?P<year>\d{4})〕第?(?P<serial>\d+)号$")
REF_RE = re.compile(rf"《(?P<title>[^《》\n]{{2,80}})》(?:\s*[（(]\s*(?P<number>{DOC_NUMBER})\s*[)）])?|(?P<bare>{DOC_NUMBER})")
SENTENCE_RE = re.compile(r"[^。；;\n]+[。；;]?")
REPEAL_RE = re.compile(r"(?<!已)(?<!已被)(?:同时|一并|即行|予以|宣布|决定)?废止|停止执行|不再执行")
LAPSE_RE = re.compile(r"宣布失效|予以失效|同时失效|决定失效")
AMEND_RE = re.compile(r"(?:关于)?修改《|对《[^《》]+》(?:[^。]{0,30})?作(?:如下|以下|出)修改|》修改如下|予以修改|宣布修改")
CONFIRM_RE = re.compile(r"继续有效|继续执行|予以保留")
PAST_RE = re.compile(r"已(?:经|于)?[^。，,]{0,20}?(?:废止|失效)|已被|曾|原规定")
DATED_REPEAL_RE = re.compile(rf"自\s*(?P<date>{DATE})\s*起(?:废止|停止执行|失效)")
SUPERSEDED_RE = re.compile(r"已?被(?P<by>《[^《》]+》(?:\s*[（(][^（）()]+[)）])?)(?:所)?(?:替代|取代|代替)")
CLEANUP_TITLE_RE = re.compile(r"清理|废止.{0,20}(?:决定|通知)|宣布失效|失效.{0,10}(?:决定|通知)")
LIST_HEADING_RE = re.compile(r"(?P<kind>废止|失效|修改|继续有效|保留)的?[^。\n]{0,30}(?:目录|清单|文件)")
INTERPRET_FIELD_RE = re.compile(r"解读(?:文件|对象|依据)\s*[:：]")
INTERPRET_TITLE_RE = re.compile(r"《(?P<title>[^《》]{2,80})》[^《》]{0,12}(?:政策)?解读|关于《(?P<t2>[^《》]{2,80})》的(?:政策)?解读")
WRAPPER_RE = re.compile(r"^.*?关于(?:印发|公布|发布|转发)?|的(?:通知|决定|意见|公告|通告)$")
LATE_EFFECT_RE = re.compile(rf"自\s*(?P<date>{DATE})\s*起\s*(?:施行|实施|执行|生效)")
DAYS_AFTER_RE = re.compile(r"自(?:发布|印发|公布)之日起\s*(?P<days>\d+)\s*日后\s*(?:施行|实施|生效)")
_LIST_KIND = {"废止": "repeals", "失效": "lapses", "修改": "amends", "继续有效": "confirms", "保留": "confirms"}


@dataclass
class Relation:
    """A statement that the document holding it repeals, amends, interprets… another document.

    `effective` is the ISO date the relation takes effect, or "" for "when the stating document takes effect".
    `subject_*` name a third document when the statement is about it ("已被《B》替代" in a 清理 list: B supersedes).
    """

    kind: str
    target_title: str
    target_number: str
    start: int
    end: int
    effective: str = ""
    subject_title: str = ""
    subject_number: str = ""
    note: str = ""


@dataclass
class ValidityFacts:
    """What one document says about time and about other documents."""

    effective: str = ""
    expires: str = ""
    relations: list[Relation] = field(default_factory=list)


def extract_validity(text: str, meta: DocumentMeta | None = None) -> ValidityFacts:
    """Dates and relations stated in `text`. `meta` (as extracted at ingest) decides the document type."""
    meta = meta or extract_metadata(text)
    if meta.doc_type == "年度报告":
        return ValidityFacts(meta.effective, meta.expires)  # reports recount repeals; they do not make them
    if meta.doc_type == "政策解读" or "解读" in meta.title:
        return ValidityFacts(meta.effective, meta.expires, _interprets(text, meta.title))
    effective, expires = meta.effective or _late_effective(text, meta.issued), meta.expires
    cleanup = bool(CLEANUP_TITLE_RE.search(meta.title)) or any(_list_heading(line) for line in text.split("\n"))
    relations = _clauses(text, cleanup) + (_list_rows(text) if cleanup else [])
    if not cleanup:
        relations += _amended_by_title(meta.title)
    return ValidityFacts(effective, expires, _dedupe(relations))


def normalize_number(number: str) -> str:
    """"临政发 〔2019〕第12号" -> "临政发〔2019〕12号": one bracket style, no spaces, no 第."""
    number = re.sub(r"\s+", "", number)
    number = re.sub(r"[\[［（(【]", "〔", number, count=1) if "〔" not in number else number
    number = re.sub(r"[\]］）)】]", "〕", number, count=1) if "〕" not in number else number
    return re.sub(r"〕第", "〕", number)


def same_number(a: str, b: str) -> bool:
    """Two 文号 name one document: same year and serial, and one agency prefix ends the other ("以临政规" ~ "临政规")."""
    pa, pb = NUMBER_PARTS_RE.match(normalize_number(a)), NUMBER_PARTS_RE.match(normalize_number(b))
    if not pa or not pb:
        return bool(a) and normalize_number(a) == normalize_number(b)
    if (pa["year"], int(pa["serial"])) != (pb["year"], int(pb["serial"])):
        return False
    short, long = sorted((pa["prefix"], pb["prefix"]), key=len)
    return len(short) >= 2 and long.endswith(short)


def title_keys(title: str) -> set[str]:
    """Names a title may be cited by: itself, the 《…》 it wraps ("关于印发《X》的通知" -> X), its core without wrapper."""
    title = re.sub(r"\s+", "", title).strip("《》〈〉")
    keys = {title} if title else set()
    keys.update(t for t in re.findall(r"[《〈]([^《》〈〉]{2,80})[》〉]", title))
    core = WRAPPER_RE.sub("", title)
    if len(core) >= 4:
        keys.add(core.strip("《》〈〉"))
    return {k for k in keys if len(k) >= 4}


def _refs(sentence: str, offset: int) -> list[tuple[str, str, int, int]]:
    """(title, 文号, start, end) for each document a sentence names."""
    out = []
    for m in REF_RE.finditer(sentence):
        title = re.sub(r"\s+", "", m["title"] or "")
        number = normalize_number(m["number"] or m["bare"] or "")
        if title.startswith(("中华人民共和国", "国务院")) and not number:
            continue  # the laws a document is based on, not what it repeals
        out.append((title, number, offset + m.start(), offset + m.end()))
    return out


def _clauses(text: str, cleanup: bool) -> list[Relation]:
    relations: list[Relation] = []
    for m in SENTENCE_RE.finditer(text):
        sentence = m[0]
        kind = _sentence_kind(sentence, cleanup)
        if not kind:
            continue
        dated = DATED_REPEAL_RE.search(sentence)
        when = _iso(dated["date"]) if dated else ""
        for title, number, _, _ in _refs(_before_superseded(sentence), m.start()):
            relations.append(Relation(kind, title, number, m.start(), m.end(), when))
    return relations


def _sentence_kind(sentence: str, cleanup: bool) -> str:
    if AMEND_RE.search(sentence):
        return "amends"
    if LAPSE_RE.search(sentence):
        return "lapses"
    if REPEAL_RE.search(sentence) and not (PAST_RE.search(sentence) and not cleanup):
        return "repeals"
    if cleanup and CONFIRM_RE.search(sentence):
        return "confirms"
    return ""


def _before_superseded(sentence: str) -> str:
    """The part naming the repealed document; "已被《B》替代" names its successor, not a target."""
    found = SUPERSEDED_RE.search(sentence)
    return sentence[: found.start()] if found else sentence


def _list_rows(text: str) -> list[Relation]:
    """Rows of 清理 lists: "1 临江区…的通知 临政发〔2019〕12号 已被《…》（临政规〔2024〕3号）替代" under a kind heading."""
    relations: list[Relation] = []
    kind = ""
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        flat = line.replace("|", " ").strip()
        number = DOC_NUMBER_RE.search(flat)
        if not number and (heading := _list_heading(flat)):
            kind = heading
            continue
        if not kind or not number or "。" in flat:
            continue
        title = re.sub(r"^\d+[.、．\s]*", "", flat[: number.start()]).strip().strip("《》")
        reason = flat[number.end() :].strip()
        relations.append(Relation(kind, re.sub(r"\s+", "", title), normalize_number(number[0]), start, start + len(line),
                                  note=reason))
        if by := SUPERSEDED_RE.search(reason):
            for t, n, _, _ in _refs(by["by"], 0)[:1]:
                relations.append(Relation("supersedes", re.sub(r"\s+", "", title), normalize_number(number[0]), start,
                                          start + len(line), subject_title=t, subject_number=n, note=reason))
    return relations


def _list_heading(line: str) -> str:
    """The relation kind a list heading announces ("宣布废止的行政规范性文件目录（6件）" -> "repeals"), or ""."""
    line = line.strip()
    if len(line) > 40 or "。" in line:
        return ""
    found = LIST_HEADING_RE.search(line)
    return _LIST_KIND[found["kind"]] if found else ""


def _amended_by_title(title: str) -> list[Relation]:
    """"关于修改《X》的决定" amends X from the day it takes effect."""
    found = re.search(r"关于修改《([^《》]{2,80})》", title)
    return [Relation("amends", found[1], "", 0, 0)] if found else []


def _interprets(text: str, title: str) -> list[Relation]:
    """The document a 政策解读 explains: its 解读文件 field, else the 《…》 in its title."""
    for line_match in re.finditer(r"[^\n]+", text[:2000]):
        if INTERPRET_FIELD_RE.search(line_match[0]):
            refs = _refs(line_match[0], line_match.start())
            if refs:
                t, n, s, e = refs[0]
                return [Relation("interprets", t, n, s, e)]
    found = INTERPRET_TITLE_RE.search(title)
    if found:
        target = found["title"] or found["t2"]
        at = text.find(target)
        return [Relation("interprets", target, "", max(at, 0), max(at, 0) + len(target) if at >= 0 else 0)]
    return []


def _dedupe(relations: list[Relation]) -> list[Relation]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for r in relations:
        key = (r.kind, r.target_number or r.target_title, r.subject_number or r.subject_title)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _late_effective(text: str, issued: str) -> str:
    """施行 dates the metadata reader leaves out: "自发布之日起30日后施行", a bare "自…起施行" near the end."""
    if issued and (found := DAYS_AFTER_RE.search(text)):
        return (date.fromisoformat(issued) + timedelta(days=int(found["days"]))).isoformat()
    tail = text[int(len(text) * 0.7) :]
    found_all = list(LATE_EFFECT_RE.finditer(tail))
    return _iso(found_all[-1]["date"]) if found_all else ""


def _iso(text: str) -> str:
    parts = re.findall(r"\d+", text)
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat() if len(parts) >= 3 else ""
    except ValueError:
        return ""
