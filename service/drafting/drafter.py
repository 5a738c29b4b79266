"""Drafting a 政策解读 without a language model: rules and retrieval choose the clauses, the glossary plainens them.

Nothing is invented: every point is a shortened clause of the policy with the exact span it came from, a section
without supporting clauses is left out, and a 常见问答 is asked only when a passage answers it.
"""

from __future__ import annotations

import re
import time

from retriever.lexical import ChineseTokenizer
from retriever.types import PolicyDocument
from service.drafting.clauses import LIST_ITEM, Clause, Passage, segment
from service.drafting.glossary import Glossary
from service.drafting.model import FAQ, SECTION_ORDER, TERMS, Draft, DraftCitation, Point, Section
from service.drafting.readability import ReadabilityTargets, measure
from service.drafting.retrieval import PassageSearch, shared_tokenizer
from service.drafting.rules import (
    DEFINITIONS,
    INTENTS,
    SECTION_RULES,
    SKIP,
    THRESHOLD,
    body_score,
    heading_score,
)
from service.drafting.simplify import Simplifier, shorten, topic_of
from service.drafting.verify import Rewriter, try_rewrite, verify_point

MAX_RUN = 3  # passages in one point at most
MAX_TERMS = 6
CONTINUES = ("也", "或者", "或", "另外", "同时", "但")
MAX_LIST = 12  # items of one list in one point at most
LEAD_VERB = re.compile(r"^(?:为了?|关于|对|由|在)?(?:规范|加强|做好|推进|完善|开展)?")


class Drafter:
    """Drafts an interpretation of one policy document. Cheap to build; jieba loads on the first `run`."""

    def __init__(
        self, glossary: Glossary | None = None, rewriter: Rewriter | None = None,
        targets: ReadabilityTargets | None = None, max_faq: int = 10, tokenizer: ChineseTokenizer | None = None,
    ) -> None:
        if not 1 <= max_faq <= 20:
            raise ValueError("max_faq must be between 1 and 20")
        self.glossary = glossary or Glossary.load()
        self.rewriter = rewriter
        self.targets = targets or ReadabilityTargets()
        self.max_faq = max_faq
        self.tokenizer = tokenizer or shared_tokenizer()

    def run(self, doc: PolicyDocument) -> Draft:
        """The draft of `doc`. A document with nothing to interpret gives a draft without sections."""
        started = time.perf_counter()
        meta = doc.meta
        draft = Draft(doc=doc.source, title=meta.title or doc.source, doc_number=meta.doc_number,
                      doc_type=meta.doc_type, agency=meta.agency, issued=meta.issued)
        draft.topic = topic_of(draft.policy_name, self.glossary)
        clauses = segment(doc.text, meta.title)
        passages = [p for c in clauses for p in c.passages]
        search = PassageSearch([p.text for p in passages], self.tokenizer)
        assigned = self._classify(clauses, passages, search)
        cite = _Citer(doc, clauses)
        sections: dict[str, list[Point]] = {}
        for rule in SECTION_RULES:
            runs = _runs([p for p in passages if assigned.get(p.index, ("", 0.0))[0] == rule.name])
            runs = sorted(runs, key=lambda r: -max(assigned[p.index][1] for p in r))[: rule.limit]
            keep_purpose = rule is SECTION_RULES[0]
            sections[rule.name] = [
                Point(_join(r, keep_purpose), [cite(r)]) for r in sorted(runs, key=lambda r: r[0].start)
            ]
        sections[TERMS] = self._terms(passages, cite)
        sections[FAQ] = self._faq(clauses, passages, assigned, search, draft.topic, cite)
        draft.sections = [Section(name, sections[name]) for name in SECTION_ORDER if sections.get(name)]
        self._plain_words(draft)
        for _, point in draft.points():
            verify_point(point, doc.text)
        draft.readability = {
            "source": measure([p.text for p in passages], self.glossary, self.targets).to_dict(),
            "draft": measure(draft_texts(draft), self.glossary, self.targets).to_dict(),
            "targets": vars(self.targets).copy(),
        }
        draft.seconds = time.perf_counter() - started
        return draft

    def _classify(self, clauses: list[Clause], passages: list[Passage], search: PassageSearch
                  ) -> dict[int, tuple[str, float]]:
        retrieval = {rule.name: search.scores(rule.query) for rule in SECTION_RULES}
        assigned: dict[int, tuple[str, float]] = {}
        for p in passages:
            if SKIP.search(p.text):
                continue
            path = clauses[p.clause].path
            best: tuple[str, float] | None = None
            for rule in SECTION_RULES:
                body, head = body_score(rule, p.text), heading_score(rule, path)
                if body == 0 and head < 1.0:
                    continue  # a section needs a cue in the text, or the clause's own heading
                score = body + head + 0.5 * retrieval[rule.name].get(p.index, 0.0) - rule.penalty
                if rule.avoid is not None and rule.avoid.search(p.text):
                    score -= 1.0
                if score >= THRESHOLD and (best is None or score > best[1]):
                    best = (rule.name, score)
            if best:
                assigned[p.index] = best
        return assigned

    def _terms(self, passages: list[Passage], cite: _Citer) -> list[Point]:
        points: list[Point] = []
        seen: set[str] = set()
        for p in passages:
            for pattern in DEFINITIONS:
                for m in pattern.finditer(p.text):
                    term = m.group("term").strip("“”")
                    if term in seen or len(points) >= MAX_TERMS:
                        continue
                    seen.add(term)
                    points.append(Point(self._definition(m), [cite([p])], term=term))
        for p in passages:
            for entry in self.glossary.explained_terms(p.text):
                if len(points) >= MAX_TERMS or entry.term in seen or entry.plain in seen:
                    continue
                seen.update((entry.term, entry.plain))
                name = entry.plain if entry.plain == entry.term else f"{entry.plain}（即“{entry.term}”）"
                points.append(Point(f"{name}：{entry.explanation}。", [cite([p])], term=entry.term, basis="glossary"))
        return points

    def _definition(self, m: re.Match[str]) -> str:
        """A 名词解释 from a definition ("本办法所称X，是指…") or an alias ("最低生活保障（以下简称低保）")."""
        term, definition = m.group("term").strip("“”"), m.group("def").strip()
        if "kind" not in m.groupdict():
            return f"“{term}”：指{definition}。"
        known = [t for t in self.glossary.entries if definition.endswith(t)]
        full = max(known, key=len) if known else LEAD_VERB.sub("", definition)
        entry = self.glossary.entries.get(full)
        extra = f"，{entry.explanation}" if entry is not None and entry.explanation else ""
        return f"“{term}”：“{full}”的{m.group('kind')}{extra}。"

    def _faq(self, clauses: list[Clause], passages: list[Passage], assigned: dict[int, tuple[str, float]],
             search: PassageSearch, topic: str, cite: _Citer) -> list[Point]:
        points: list[Point] = []
        used: set[int] = set()
        for intent in INTENTS:
            question = intent.question.format(t=topic)
            relevance = search.scores(question)
            candidates = [
                (1.0 + 0.5 * (assigned.get(p.index, ("", 0.0))[0] in intent.sections)
                 + 0.5 * relevance.get(p.index, 0.0)
                 + 0.75 * bool(intent.prefer and intent.prefer.search(p.text))
                 + 0.75 * bool(intent.heading and intent.heading.search(clauses[p.clause].heading)), p)
                for p in passages
                if intent.answer.search(p.text) and not SKIP.search(p.text) and p.index not in used
                and not (intent.exclude and intent.exclude.search(p.text))
            ]
            if not candidates:
                continue
            best = max(candidates, key=lambda c: c[0])[1]
            run = _answer_run(best, passages, intent.answer)
            used.update(p.index for p in run)
            points.append(Point(_join(run, True), [cite(run)], question=question, intent=intent.name))
            if len(points) >= self.max_faq:
                break
        return points

    def _plain_words(self, draft: Draft) -> None:
        simplifier = Simplifier(self.glossary)
        rewritten = tried = 0
        for _, point in draft.points():
            if point.basis == "glossary":
                continue  # already plain: the glossary's own wording
            point.text = simplifier.run(point.text)
            if self.rewriter is not None:
                tried += 1
                point.text, problem = try_rewrite(self.rewriter, point.text, point.citations[0].quote)
                rewritten += not problem
        if self.rewriter is not None:
            draft.generator = f"rules+{self.rewriter.name}（{rewritten}/{tried}条改写通过核对）"


class _Citer:
    """Makes the citation of a run of passages: the exact span from the first to the last."""

    def __init__(self, doc: PolicyDocument, clauses: list[Clause]) -> None:
        self.doc, self.clauses = doc, clauses

    def __call__(self, run: list[Passage]) -> DraftCitation:
        clause = self.clauses[run[0].clause]
        start, end = run[0].start, run[-1].end
        return DraftCitation(self.doc.source, clause.label, clause.heading, self.doc.text[start:end], start, end)


def _runs(passages: list[Passage]) -> list[list[Passage]]:
    """Consecutive passages of one clause, at most MAX_RUN in a run (MAX_LIST for the items of a list)."""
    runs: list[list[Passage]] = []
    for p in passages:
        last = runs[-1] if runs else None
        limit = MAX_LIST if p.is_list and last and last[-1].is_list else MAX_RUN
        if last and last[-1].index == p.index - 1 and last[-1].clause == p.clause and len(last) < limit:
            last.append(p)
        else:
            runs.append([p])
    return runs


def _answer_run(best: Passage, passages: list[Passage], answers: re.Pattern[str]) -> list[Passage]:
    """The passages that answer a question: a whole list when the best one is an item of it, else the best one
    with the next one in the same clause if it answers too, and the one before if the best one continues it
    ("0571-86904456；也可拨打12345……")."""
    same = [p for p in passages if p.clause == best.clause]
    i = same.index(best)
    lo, hi = i, i
    if best.is_list:
        while lo > 0 and same[lo - 1].is_list:
            lo -= 1
        while hi + 1 < len(same) and same[hi + 1].is_list and hi - lo < MAX_LIST:
            hi += 1
    else:
        leans_back = best.text.startswith(CONTINUES)  # "也可拨打……" needs the sentence before it
        lo -= leans_back and lo > 0 and not same[lo - 1].is_list and bool(answers.search(same[lo - 1].text))
        hi += hi + 1 < len(same) and not same[hi + 1].is_list and bool(answers.search(same[hi + 1].text))
    return same[lo : hi + 1]


def _join(run: list[Passage], keep_purpose: bool) -> str:
    """The readable text of a run: sentences run on, list items go on lines of their own."""
    text = ""
    for i, p in enumerate(run):
        part = shorten(p.text, keep_purpose)
        if not part:
            continue
        starts_with_item = bool(LIST_ITEM.match(p.text))
        unfinished = not text.endswith(("。", "！", "？", "；", ";", "：", ":"))  # a label line, a table row
        text += ("\n" if text and (starts_with_item or run[i - 1].is_list or unfinished) else "") + part
    return text[:-1] + "。" if text.endswith(("；", ";", "，")) else text


def draft_texts(draft: Draft) -> list[str]:
    """What a reader reads: every question and point of the draft."""
    return [t for _, p in draft.points() for t in (p.question, p.text) if t]
