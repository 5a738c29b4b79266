"""A document's status on a date, derived from the relations graph and the dates documents state.

Rules, in order: a staff override wins; a document with legal force is 尚未施行 before its 施行 date (or its issue
date when none is stated); a repeal, supersession or declared lapse in force on the day makes it 已废止 / 已失效
(the earliest one counts); past its 有效期 it is 已失效; a lapse its own header states holds on every day; an
amendment in force makes it 已修改; a 政策解读 lapses with the document it explains. Otherwise a document with legal
force is 现行有效, and anything else (reports, guides) stays 未知: they have no validity of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from ingest.validity import same_number, title_keys
from retriever.relations import DocumentFacts, Override, StoredRelation
from retriever.types import DocumentRecord

LEGAL_TYPES = frozenset({"规范性文件", "法律法规", "通知"})
TERMINAL = frozenset({"已废止", "已失效"})
USABLE = frozenset({"现行有效", "已修改", "未知"})  # statuses retrieval accepts by default
EFFECT = {"repeals": "已废止", "supersedes": "已废止", "lapses": "已失效", "amends": "已修改", "confirms": "现行有效"}
VERB = {"repeals": "废止", "supersedes": "替代", "lapses": "宣布失效", "amends": "修改", "confirms": "确认继续有效",
        "interprets": "解读"}


@dataclass
class Event:
    """A relation that changes `target`'s status from `day` ("" = the day is not known: always)."""

    day: str
    status: str
    relation: StoredRelation
    stated_by: DocumentRecord
    subject: DocumentRecord | None = None


@dataclass
class Status:
    status: str
    since: str = ""
    reason: str = ""
    event: Event | None = None


@dataclass
class Graph:
    """Documents, what they state, and the relations resolved to the documents they name."""

    records: dict[str, DocumentRecord]
    facts: dict[str, DocumentFacts]
    relations: list[StoredRelation]
    overrides: dict[str, Override] = field(default_factory=dict)
    events: dict[str, list[Event]] = field(default_factory=dict)
    interprets: dict[str, list[str]] = field(default_factory=dict)
    unresolved: list[StoredRelation] = field(default_factory=list)

    def __post_init__(self) -> None:
        for rel in self.relations:
            source = self.records.get(rel.doc_id)
            if source is None:
                continue
            targets = self.resolve(rel.target_title, rel.target_number, exclude=rel.doc_id)
            if not targets:
                self.unresolved.append(rel)
            for target in targets:
                if rel.kind == "interprets":
                    self.interprets.setdefault(rel.doc_id, []).append(target.doc_id)
                    continue
                subjects = self.resolve(rel.subject_title, rel.subject_number) if rel.kind == "supersedes" else []
                day = rel.effective or self.start_of(source.doc_id)
                self.events.setdefault(target.doc_id, []).append(
                    Event(day, EFFECT[rel.kind], rel, source, subjects[0] if subjects else None))

    def resolve(self, title: str, number: str, exclude: str = "") -> list[DocumentRecord]:
        """Documents named by `number` (preferred) or `title`. A different 文号 on both sides means another document."""
        if not title and not number:
            return []
        found = []
        keys = title_keys(title) if title else set()
        for rec in self.records.values():
            if rec.doc_id == exclude:
                continue
            if number and rec.meta.doc_number:
                if same_number(number, rec.meta.doc_number):
                    found.append(rec)
            elif keys and keys & title_keys(rec.meta.title) and _named_by_title(rec, title):
                found.append(rec)
        return found

    def start_of(self, doc_id: str) -> str:
        rec = self.records[doc_id]
        facts = self.facts.get(doc_id)
        return rec.meta.effective or (facts.effective if facts else "") or rec.meta.issued

    def expiry_of(self, doc_id: str) -> str:
        facts = self.facts.get(doc_id)
        return self.records[doc_id].meta.expires or (facts.expires if facts else "")

    def status_on(self, doc_id: str, day: date, _depth: int = 0) -> Status:
        """The status of document `doc_id` on `day`, with when it began and why."""
        rec = self.records[doc_id]
        iso = day.isoformat()
        if override := self.overrides.get(doc_id):
            return Status(override.status, override.at[:10], f"工作人员设定：{override.note}".rstrip("："))
        legal = rec.meta.doc_type in LEGAL_TYPES
        start = self.start_of(doc_id)
        if legal and start and iso < start:
            return Status("尚未施行", "", f"自{start}起施行")
        events = sorted((e for e in self.events.get(doc_id, []) if e.day <= iso), key=lambda e: e.day)
        if ended := [e for e in events if e.status in TERMINAL]:
            return Status(ended[0].status, ended[0].day, describe(ended[0]), ended[0])
        expires = self.expiry_of(doc_id)
        if expires and expires < iso:
            after = (date.fromisoformat(expires) + timedelta(days=1)).isoformat()
            return Status("已失效", after, f"有效期至{expires}")
        stated = self.facts[doc_id].stated if doc_id in self.facts else rec.meta.validity
        if stated in TERMINAL or stated == "尚未施行":
            return Status(stated, "", "文件自身标注")
        if amended := [e for e in events if e.status == "已修改"]:
            return Status("已修改", amended[-1].day, describe(amended[-1]), amended[-1])
        if stated == "已修改":
            return Status("已修改", "", "文件自身标注")
        if _depth == 0 and (targets := self.interprets.get(doc_id)):
            explained = self.status_on(targets[0], day, 1)
            if explained.status in TERMINAL:
                title = self.records[targets[0]].meta.title
                return Status("已失效", explained.since, f"所解读的《{title}》{explained.status}")
            return Status("现行有效" if explained.status in ("现行有效", "已修改") else "未知")
        if legal or stated == "现行有效" or any(e.status == "现行有效" for e in events):
            return Status("现行有效", start)
        return Status(stated if stated in ("已修改", "现行有效") else "未知")

    def timeline(self, doc_id: str) -> list[dict[str, str]]:
        """Each status the document has had or will have, from the day it began (the first one from its start)."""
        involved = [doc_id, *self.interprets.get(doc_id, [])]  # an interpretation changes with what it explains
        days = {self.start_of(d) for d in involved} | {e.day for d in involved for e in self.events.get(d, [])}
        ends = {self.expiry_of(d) for d in involved}
        points = [date.fromisoformat(d) for d in days if d]
        points += [date.fromisoformat(d) + timedelta(days=1) for d in ends if d]
        out: list[dict[str, str]] = []
        first = min(points) - timedelta(days=1) if points else date.today()
        for day in sorted({first, *points}):
            status = self.status_on(doc_id, day)
            if not out or out[-1]["status"] != status.status:
                out.append({"from": "" if day == first else day.isoformat(), "status": status.status,
                            "reason": status.reason})
        return out


def describe(event: Event) -> str:
    """"依据《临江区最低生活保障审核确认办法》（临政规〔2024〕3号）废止"."""
    meta = event.stated_by.meta
    number = f"（{meta.doc_number}）" if meta.doc_number else ""
    if event.relation.kind == "supersedes" and event.subject is not None:
        sub = event.subject.meta
        return f"已被《{_bare(sub.title)}》（{sub.doc_number}）替代，见《{_bare(meta.title)}》{number}"
    if event.relation.kind == "supersedes":
        by = event.relation.subject_title or "新文件"
        return f"已被《{by}》替代，见《{_bare(meta.title)}》{number}"
    return f"依据《{_bare(meta.title)}》{number}{VERB[event.relation.kind]}"


def _named_by_title(rec: DocumentRecord, title: str) -> bool:
    """An interpretation or a report quotes the title of the document it is about: only its own full title names it."""
    return rec.meta.doc_type not in ("政策解读", "年度报告") or _flat(rec.meta.title) == _flat(title)


def _flat(title: str) -> str:
    return re.sub(r"\s+", "", title).strip("《》")


def _bare(title: str) -> str:
    return re.sub(r"^《|》$", "", title)
