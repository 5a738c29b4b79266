"""Answers without a language model: pick the sentences or table rows that answer the question, cite each one.

Nothing is generated, so nothing can be invented: every answer sentence is a cleaned copy of a span in a named
document. The work is in choosing well and in refusing when the evidence does not fit the question (another
year, another place, an article the law does not have).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.cleaning import normalize_for_reading
from retriever.lexical import ChineseTokenizer, SynonymExpander
from retriever.types import Hit
from service.answers import HANDOFF, REFUSAL_PREFIX, Answer, Citation, Sentence

YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?=\s*年)")
PLACE = re.compile(r"([\u4e00-\u9fff]{2,5}?(?:自治州|自治县|省|市|区|县|镇|乡|街道))")
ARTICLE_REF = re.compile(r"第[一二三四五六七八九十百零〇两]+条")
NUMERIC_Q = re.compile(r"多少|几[件个条篇天次项家人份年月日%]|几|数量|比例|标准|金额|百分之|占比|是多少")
DATE_Q = re.compile(r"什么时候|何时|哪一天|哪天|日期|哪年|起施行|开始施行|生效")
WHERE_Q = re.compile(r"哪里|哪儿|向哪|到哪|什么地方|哪个部门|哪个单位|哪些部门|地址|地点")
FEE_Q = re.compile(r"收费|交钱|要钱|费用|免费|缴费|处理费|花钱")
PHONE_Q = re.compile(r"电话|热线|联系方式|咨询")
HAS_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月|\d{4}-\d{1,2}-\d{1,2}")
HAS_NUMBER = re.compile(r"\d")
HAS_PLACE_WORD = re.compile(r"人民政府|办事处|部门|机关|机构|窗口|中心|所在地|民政|单位")
HAS_FEE_WORD = re.compile(r"收费|收取|免费|不收|费用|处理费|缴纳")
HAS_PHONE = re.compile(r"\d{3,4}-\d{7,8}|12345")
GENERIC_PLACES = frozenset({"行政区", "政府", "本市", "本区", "本县", "城市", "地区", "街道", "社区", "城区", "市区"})


@dataclass
class _Candidate:
    hit: Hit
    rank: int
    start: int
    end: int
    clean: str
    score: float = 0.0


class ExtractiveAnswerer:
    """Chooses evidence from retrieved hits and composes a short cited answer, or refuses."""

    def __init__(self, threshold: float = 0.34, max_sentences: int = 3, tokenizer: ChineseTokenizer | None = None):
        if not 0 <= threshold <= 1:
            raise ValueError("threshold must be between 0 and 1")
        self.threshold = threshold
        self.max_sentences = max_sentences
        self.tokenizer = tokenizer or ChineseTokenizer()
        self.synonyms = SynonymExpander()

    def run(self, question: str, hits: list[Hit]) -> Answer:
        terms = self._terms(question)
        candidates = [c for c in self._candidates(hits) if self._fits_constraints(question, c)]
        for cand in candidates:
            cand.score = self._score(question, terms, cand)
        candidates.sort(key=lambda c: -c.score)
        best = candidates[0].score if candidates else 0.0
        if best < self.threshold:
            return refusal(question, hits, best)
        chosen = self._choose(question, candidates)
        return self._compose(question, chosen, hits, best)

    # --- evidence ---

    def _candidates(self, hits: list[Hit]) -> list[_Candidate]:
        out = []
        for rank, hit in enumerate(hits, start=1):
            chunk = hit.chunk
            units = chunk.units or [(chunk.start, chunk.end)]
            rows = chunk.clean.split("\n") if chunk.kind == "table_row" else []
            for i, (s, e) in enumerate(units):
                raw = chunk.text[s - chunk.start : e - chunk.start]
                clean = rows[i] if i < len(rows) else normalize_for_reading(raw)
                if clean.strip():
                    out.append(_Candidate(hit, rank, s, e, clean.strip()))
        return out

    def _terms(self, question: str) -> dict[str, float]:
        terms: dict[str, float] = {}
        for tok in self.tokenizer.tokenize(question):
            terms[tok] = max(terms.get(tok, 0.0), float(min(len(tok), 4)))
        for syn in self.synonyms.expand(question):
            for tok in self.tokenizer.tokenize(syn):
                terms.setdefault(tok, float(min(len(tok), 4)) * 0.8)
        return terms

    def _score(self, question: str, terms: dict[str, float], cand: _Candidate) -> float:
        if not terms:
            return 0.0
        total = sum(terms.values())
        body = cand.clean
        context = f"{cand.hit.document.meta.title} {cand.hit.chunk.heading} {cand.hit.chunk.context}"
        covered = sum(w for t, w in terms.items() if t in body)
        in_context = sum(w for t, w in terms.items() if t not in body and t in context)
        score = 0.75 * covered / total + 0.35 * in_context / total
        score += 0.08 / cand.rank
        score += self._cue_bonus(question, body)
        if len(body) < 8:
            score -= 0.2
        return score

    @staticmethod
    def _cue_bonus(question: str, body: str) -> float:
        bonus = 0.0
        cues = [
            (DATE_Q, HAS_DATE), (WHERE_Q, HAS_PLACE_WORD), (FEE_Q, HAS_FEE_WORD), (PHONE_Q, HAS_PHONE),
            (NUMERIC_Q, HAS_NUMBER),
        ]
        for asks, has in cues:
            if asks.search(question):
                bonus += 0.1 if has.search(body) else -0.1
                break
        return bonus

    @staticmethod
    def _fits_constraints(question: str, cand: _Candidate) -> bool:
        """Evidence from another year, another place, or without the article asked about does not answer."""
        meta = cand.hit.document.meta
        doc_text = f"{meta.title} {meta.region} {meta.agency} {cand.hit.document.source}"
        local = f"{cand.clean} {cand.hit.chunk.heading}"
        years = set(YEAR.findall(question))
        if years and meta.doc_type == "年度报告":
            doc_years = {str(meta.year)} if meta.year else set(YEAR.findall(meta.title))
            if doc_years and not years & doc_years:
                return False
        places = [p for p in PLACE.findall(question) if p not in GENERIC_PLACES]
        if places and meta.doc_type == "年度报告" and not any(_place_core(p) in doc_text for p in places):
            return False
        articles = ARTICLE_REF.findall(question)
        return not (articles and not any(a in local for a in articles))

    def _choose(self, question: str, candidates: list[_Candidate]) -> list[_Candidate]:
        places = [p for p in dict.fromkeys(PLACE.findall(question)) if p not in GENERIC_PLACES]
        if len(places) >= 2:  # one answer per place asked about: "富县、瓮安县、通城县三地……"
            chosen = []
            for place in places:
                core = _place_core(place)
                match = next((c for c in candidates if core in c.hit.document.meta.title + c.clean), None)
                if match and match.score >= self.threshold * 0.8 and match not in chosen:
                    chosen.append(match)
            if chosen:
                return chosen
        best = candidates[0]
        chosen = [best]
        for cand in candidates[1:]:
            if len(chosen) >= self.max_sentences:
                break
            if cand.score < max(self.threshold, best.score * 0.85):
                break
            if any(_overlaps(cand, c) for c in chosen):
                continue
            chosen.append(cand)
        return chosen

    # --- composing ---

    def _compose(self, question: str, chosen: list[_Candidate], hits: list[Hit], best: float) -> Answer:
        citations: list[Citation] = []
        sentences: list[Sentence] = []
        for cand in chosen:
            n = len(citations) + 1
            doc = cand.hit.document
            citations.append(
                Citation(
                    n=n, doc=doc.source, title=doc.meta.title, doc_number=doc.meta.doc_number, issued=doc.meta.issued,
                    validity=doc.meta.validity, heading=cand.hit.chunk.heading,
                    quote=cand.hit.chunk.text[cand.start - cand.hit.chunk.start : cand.end - cand.hit.chunk.start],
                    start=cand.start, end=cand.end, chunk_id=cand.hit.chunk.chunk_id,
                )
            )
            sentences.append(Sentence(_sentence_for(question, cand), [n]))
        lead = f"根据《{chosen[0].hit.document.meta.title}》"
        if len({c.hit.document.doc_id for c in chosen}) > 1:
            lead = "根据已收录的政策文件"
        # The marker sits before the sentence's final punctuation: "……予以答复[1]。"
        body = "".join(f"{s.text[:-1]}[{s.citations[0]}]{s.text[-1]}" for s in sentences)
        return Answer(question, f"{lead}：{body}", False, sentences, citations, hits, evidence_score=best)


def _sentence_for(question: str, cand: _Candidate) -> str:
    text = cand.clean.rstrip("；;，,、 ")
    if cand.hit.chunk.kind == "table_row" and "：" in text:
        label, cells = text.split("：", 1)
        pairs = [p.strip() for p in cells.split("，")]
        asked = [p for p in pairs if p.split(" ")[0] and p.split(" ")[0] in question]
        if asked:
            pairs = asked
        elif len(pairs) > 3:
            pairs = [p for p in pairs if not p.endswith(" 0")] or pairs[-1:]
        table = cand.hit.chunk.context
        where = f"（{table}）" if table else ""
        text = f"表格{where}中“{label.split(' > ')[-1]}”一项：" + "，".join(p.replace(" ", "为", 1) for p in pairs)
    if not text.endswith(("。", "！", "？")):
        text = text.rstrip("。") + "。"
    return text


def _place_core(place: str) -> str:
    """"洪泽区" -> "洪泽": reports write the place with or without its suffix."""
    core = re.sub(r"(自治州|自治县|省|市|区|县|镇|乡|街道)$", "", place)
    return core if len(core) >= 2 else place


def _overlaps(a: _Candidate, b: _Candidate) -> bool:
    return a.hit.document.doc_id == b.hit.document.doc_id and a.start < b.end and b.start < a.end


def refusal(question: str, hits: list[Hit], score: float = 0.0) -> Answer:
    text = f"{REFUSAL_PREFIX}能够回答这个问题的依据。{HANDOFF}"
    return Answer(question, text, True, [Sentence(text, [], True)], [], hits, evidence_score=score)
