"""Questions about validity: the date a question asks about, and "《…》现在还管用吗" answered from the graph.

A status answer cites the clause that changed the status (the repeal clause, the 清理 list row) by its exact span,
so the citizen sees which document says so.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import TYPE_CHECKING

from ingest.metadata import DOC_NUMBER
from ingest.validity import normalize_number, same_number, title_keys
from retriever.types import DocumentRecord, Hit
from service.answers import Answer, Citation, Sentence
from service.status_graph import EFFECT, Event, Graph

if TYPE_CHECKING:
    from service.status import StatusKeeper

_WHEN = r"(?:的时候|时候|那时候?|当时|那会儿?|期间|那年|时)"
FULL_DATE_RE = re.compile(rf"(?P<y>\d{{4}})年(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})日(?:{_WHEN}|以前|之前)")
MONTH_RE = re.compile(rf"(?P<y>\d{{4}})年(?P<m>\d{{1,2}})月(?:份)?{_WHEN}")
YEAR_RE = re.compile(rf"(?P<y>\d{{4}})年(?P<end>底|末|初)?{_WHEN}|(?:在|截至|截止到?|到)(?P<y2>\d{{4}})年(?P<end2>底|末|初)?")
STATUS_Q_RE = re.compile(
    r"(?:管用|有效|适用|执行|算数|能用)(?:吗|么|嘛|没有|不)|是否(?:仍然|还)?(?:有效|失效|废止|作废|适用|执行)"
    r"|(?:废止|失效|作废|过期)了?(?:吗|么|没有|没)|有效性|效力|什么状态|还在执行|现行有效")
BOOK_RE = re.compile(r"《([^《》]{2,80})》")
NUMBER_RE = re.compile(DOC_NUMBER)


def asked_date(question: str, today: date | None = None) -> date | None:
    """The day a question asks about ("2019年的时候" -> 2019-12-31, "2023年5月时" -> 2023-05-31), or None."""
    today = today or date.today()
    q = re.sub(r"\s+", "", question)
    if m := FULL_DATE_RE.search(q):
        found = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    elif m := MONTH_RE.search(q):
        year, month = int(m["y"]), int(m["m"])
        found = _safe_date(year, month, calendar.monthrange(year, month)[1]) if 1 <= month <= 12 else None
    elif m := YEAR_RE.search(q):
        year = int(m["y"] or m["y2"])
        found = date(year, 1, 1) if (m["end"] or m["end2"]) == "初" else date(year, 12, 31)
    else:
        return None
    if found is None or found.year < 1949:
        return None
    return min(found, today)


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


class StatusAnswerer:
    """A fast path: "《X》还有效吗" / "临政发〔2019〕12号废止了吗" answered from the graph, citing the clauses."""

    def __init__(self, keeper: StatusKeeper) -> None:
        self.keeper = keeper

    def __call__(self, question: str, hits: list[Hit]) -> Answer | None:
        if not STATUS_Q_RE.search(question):
            return None
        graph = self.keeper.graph()
        day = asked_date(question) or date.today()
        target = self._named(question, graph)
        if target is not None:
            now = graph.status_on(target.doc_id, day)
            events = [e for e in graph.events.get(target.doc_id, []) if e.day <= day.isoformat()
                      and e.status == now.status]
            name = f"《{target.meta.title}》" + (f"（{target.meta.doc_number}）" if target.meta.doc_number else "")
            return self._compose(question, hits, name, now.status, events, now.reason, day)
        events = self._about_unindexed(question, graph, day)
        if not events:
            return None
        rel = events[0].relation
        name = (f"《{rel.target_title}》" if rel.target_title else "") + (f"（{rel.target_number}）" if rel.target_number
                                                                       else "")
        answer = self._compose(question, hits, name, events[0].status, events, "", day)
        note = "（该文件本身未收录，以上依据收录文件中的相关规定。）"
        answer.answer += note
        answer.sentences.append(Sentence(note, [1]))
        return answer

    def _compose(self, question: str, hits: list[Hit], name: str, status: str, events: list[Event], reason: str,
                 day: date) -> Answer:
        graph = self.keeper.graph()
        first_per_doc: dict[str, Event] = {}
        for event in sorted(events, key=lambda e: e.day):
            first_per_doc.setdefault(event.stated_by.doc_id, event)
        chosen = list(first_per_doc.values())[:3]
        citations = [_citation(n, e, graph, self.keeper) for n, e in enumerate(chosen, start=1)]
        when = "" if day == date.today() else f"在{cn_date(day.isoformat())}"
        marks = "".join(f"[{c.n}]" for c in citations)
        head = f"{name}{when}的状态为：{status}{marks}。"
        sentences = [Sentence(head, [c.n for c in citations])]
        for n, event in enumerate(chosen, start=1):
            since = f"自{cn_date(event.day)}起，" if event.day and n == 1 else "另，" if n > 1 else ""
            sentences.append(Sentence(f"{since}{describe_short(event)}[{n}]。", [n]))
        if not chosen:
            sentences.append(Sentence(f"（{reason}）。" if reason else "（未见废止、失效或修改该文件的文件。）", []))
        text = "".join(s.text for s in sentences)
        return Answer(question, text, False, sentences, citations, hits, generator="status", evidence_score=1.0)

    @staticmethod
    def _about_unindexed(question: str, graph: Graph, day: date) -> list[Event]:
        """What indexed documents say about a document the index does not hold, named by 文号 or 《title》."""
        numbers = [normalize_number(m[0]) for m in NUMBER_RE.finditer(question)]
        books = BOOK_RE.findall(question)
        found = []
        for rel in graph.unresolved:
            if rel.kind == "interprets" or rel.doc_id not in graph.records:
                continue
            by_number = bool(numbers) and bool(rel.target_number) and any(same_number(n, rel.target_number)
                                                                            for n in numbers)
            by_title = not numbers and bool(books) and bool(title_keys(books[0]) & title_keys(rel.target_title))
            if by_number or by_title:
                found.append(Event(rel.effective or graph.start_of(rel.doc_id), EFFECT[rel.kind], rel,
                                   graph.records[rel.doc_id]))
        found = [e for e in found if e.day <= day.isoformat()]
        order = {"已废止": 0, "已失效": 0, "已修改": 1, "现行有效": 2}
        return sorted(found, key=lambda e: (order.get(e.status, 3), e.day))

    @staticmethod
    def _named(question: str, graph: Graph) -> DocumentRecord | None:
        """The one indexed document the question names by 文号 or 《title》, or whose title it quotes."""
        for m in NUMBER_RE.finditer(question):
            found = graph.resolve("", normalize_number(m[0]))
            if len(found) == 1:
                return found[0]
        for m in BOOK_RE.finditer(question):
            found = graph.resolve(m[1], "")
            if len(found) == 1:
                return found[0]
            if len(found) > 1:  # the same title issued again: the one the question's year names, else the latest
                year = re.search(r"(\d{4})年", question)
                dated = [r for r in found if year and r.meta.issued.startswith(year[1])]
                return dated[0] if len(dated) == 1 else max(found, key=lambda r: r.meta.issued)
        quoted = [r for r in graph.records.values() if any(k in question for k in title_keys(r.meta.title))]
        return quoted[0] if len(quoted) == 1 else None


def describe_short(event: Event) -> str:
    meta = event.stated_by.meta
    number = f"（{meta.doc_number}）" if meta.doc_number else ""
    verb = {"repeals": "宣布废止", "supersedes": "列明其已被替代", "lapses": "宣布失效", "amends": "作出修改",
            "confirms": "确认继续有效"}[event.relation.kind]
    quote = event.relation.note
    return f"《{meta.title}》{number}{verb}" + (f"（{quote}）" if quote and event.relation.kind != "repeals" else "")


def _citation(n: int, event: Event, graph: Graph, keeper: StatusKeeper) -> Citation:
    rec = event.stated_by
    text = keeper.index.registry.document_text(rec.doc_id)
    start, end = event.relation.start, event.relation.end
    chunk = next((c for c in keeper.index.registry.chunks(rec.doc_id) if c.start <= start < c.end), None)
    return Citation(n=n, doc=rec.source, title=rec.meta.title, doc_number=rec.meta.doc_number, issued=rec.meta.issued,
                    validity=rec.meta.validity, heading=chunk.heading if chunk else "", quote=text[start:end],
                    start=start, end=end, chunk_id=chunk.chunk_id if chunk else "")


def cn_date(iso: str) -> str:
    """"2024-03-01" -> "2024年3月1日"."""
    y, m, d = (int(p) for p in iso.split("-"))
    return f"{y}年{m}月{d}日"
