"""Answers without a language model: pick the sentences or table rows that answer the question, cite each one.

Nothing is generated, so nothing can be invented: every answer sentence is a cleaned copy of a span in a named
document. The work is in choosing well and in refusing when the evidence does not fit the question (another
year, another place, an article the law does not have).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.cleaning import normalize_for_reading
from retriever.lexical import ChineseTokenizer, SynonymExpander
from retriever.types import Hit
from service.answers import HANDOFF, REFUSAL_PREFIX, Answer, Citation, Sentence, book_title

YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?=\s*年)")
PLACE = re.compile(r"([\u4e00-\u9fff]{1,5}?(?:自治州|自治县|省|市|区|县|镇|乡|街道))")
PLACE_SPLIT = re.compile(r"[和与及、，,。？?！!；;：:\s的在向从对是了年月日\d（）()《》“”]")
QUESTION_SPLIT = re.compile(r"(?<=[？?])")
TITLE_REF = re.compile(r"《([^》]{2,60})》")
ADMIN_WORDS = ("人民政府", "政府", "办公室", "办公厅")
HEADING_MARK = re.compile(r"^(?:第[一二三四五六七八九十百零〇两]+[章节条]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、])\s*")
ARTICLE_REF = re.compile(r"第[一二三四五六七八九十百零〇两]+条")
NUMERIC_Q = re.compile(r"多少|几[件个条篇天次项家人份年月日%]|几|数量|比例|标准|金额|百分之|占比|是多少")
DATE_Q = re.compile(r"什么时候|何时|哪一天|哪天|日期|哪年|起施行|开始施行|生效")
WHERE_Q = re.compile(r"哪里|哪儿|向哪|到哪|什么地方|哪个部门|哪个单位|哪些部门|地址|地点")
FEE_Q = re.compile(r"收费|交钱|要钱|费用|免费|缴费|处理费|花钱")
PHONE_Q = re.compile(r"电话|热线|联系方式|咨询")
WHY_Q = re.compile(r"为什么|为何|背景|目的|意义|解读|原因")
TIME_Q = re.compile(r"多长时间|多久|几天|多少天|几个工作日|多少个工作日|期限|时限|多长")
MONEY_Q = re.compile(r"多少钱|多少元|几块|交多少|缴多少|领多少|取多少|拿多少|补多少|补贴多少|金额|标准是多少")
HAS_TIME = re.compile(r"\d+\s*个?\s*(?:工作日|天|个月|日内|日以内|年内)|[一二三四五六七八九十]+个?(?:工作日|天|日内)")
HAS_MONEY = re.compile(r"\d[\d,.]*\s*(?:元|万元)")
HAS_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月|\d{4}-\d{1,2}-\d{1,2}")
HAS_NUMBER = re.compile(r"\d")
HAS_PLACE_WORD = re.compile(r"人民政府|办事处|部门|机关|机构|窗口|中心|所在地|民政|单位")
HAS_FEE_WORD = re.compile(r"收费|收取|免费|不收|费用|处理费|缴纳")
HAS_PHONE = re.compile(r"\d{3,4}-\d{7,8}|12345")
GENERIC_PLACES = frozenset(
    {"行政区", "本市", "本区", "本县", "本镇", "城市", "地区", "街道", "社区", "城区", "市区", "全区", "全市", "全县", "各区",
     "辖区", "小区", "园区", "新区", "该市", "该区", "该县", "当地市", "城镇", "乡镇", "市县", "县区"}
)


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

    def __init__(
        self, threshold: float = 0.25, max_sentences: int = 3, tokenizer: ChineseTokenizer | None = None,
        doc_text: Callable[[str], str] | None = None,
    ):
        """`doc_text(doc_id)` gives a document's full text, used to check that it is about the place asked."""
        if not 0 <= threshold <= 1:
            raise ValueError("threshold must be between 0 and 1")
        self.threshold = threshold
        self.doc_text = doc_text or (lambda _doc_id: "")
        self._local: set[str] = set()
        self.max_sentences = max_sentences
        self.tokenizer = tokenizer or ChineseTokenizer()
        self.synonyms = SynonymExpander()

    def run(self, question: str, hits: list[Hit]) -> Answer:
        places = places_in(question)
        local = {h.document.doc_id for h in hits if places and self._names_place(h, places)}
        candidates = [c for c in self._candidates(hits) if self._fits_constraints(question, c, local)]
        self._local = local
        candidates = self._rank(question, candidates)
        best = max((c.score for c in candidates), default=0.0)
        if best < self.threshold:
            return refusal(question, hits, best)
        chosen = self._choose(question, candidates)
        return self._compose(question, chosen, hits, best)

    def _rank(self, question: str, candidates: list[_Candidate]) -> list[_Candidate]:
        """Copies of `candidates` scored for `question`, best first."""
        terms = _idf_weighted(self._terms(question), candidates)
        ranked = [_Candidate(c.hit, c.rank, c.start, c.end, c.clean) for c in candidates]
        for cand in ranked:
            cand.score = self._score(question, terms, cand)
        _answers_follow_questions(ranked)
        # Documents of the place asked about rank first, and the policy itself before an interpretation of it,
        # unless the question asks why; these order the evidence, they do not make it stronger.
        why = bool(WHY_Q.search(question))

        def order(c: _Candidate) -> float:
            local = 0.12 if c.hit.document.doc_id in self._local else 0.0
            secondary = 0.05 if c.hit.document.meta.doc_type == "政策解读" and not why else 0.0
            return -(c.score + local - secondary)

        return sorted(ranked, key=order)

    # --- evidence ---

    def _candidates(self, hits: list[Hit]) -> list[_Candidate]:
        out = []
        for rank, hit in enumerate(hits, start=1):
            chunk = hit.chunk
            units = chunk.units or [(chunk.start, chunk.end)]
            rows = chunk.clean.split("\n") if chunk.kind == "table_row" else []
            for i, (s, e) in enumerate(units):
                raw = chunk.text[s - chunk.start : e - chunk.start]
                clean = (rows[i] if i < len(rows) else normalize_for_reading(raw)).strip()
                if clean and len(clean) < 16 and chunk.heading_path and chunk.kind == "text":
                    # "免费。" under "四、收费标准:" reads as "收费标准：免费。"
                    label = HEADING_MARK.sub("", chunk.heading_path[-1]).rstrip(":： ")
                    clean = f"{label}：{clean}"
                if clean:
                    out.append(_Candidate(hit, rank, s, e, clean))
        return out

    def _terms(self, question: str) -> dict[str, float]:
        """Question words with weights; words naming the place or office only pick the document, not the sentence."""
        terms: dict[str, float] = {}
        identity = "".join(places_in(question)) + "".join(TITLE_REF.findall(question))
        for tok in self.tokenizer.tokenize(question):
            weight = float(min(len(tok), 4))
            if tok in identity or any(w in tok for w in ADMIN_WORDS):
                weight *= 0.1
            terms[tok] = max(terms.get(tok, 0.0), weight)
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
        if len(body) > 150:  # a long unit covers many words by its length alone
            score -= 0.15 * min(1.0, (len(body) - 150) / 300)
        titles = TITLE_REF.findall(question)
        if titles and any(_squash(t) in _squash(cand.hit.document.meta.title) for t in titles):
            score += 0.15  # the question names this document
        return score

    @staticmethod
    def _cue_bonus(question: str, body: str) -> float:
        bonus = 0.0
        cues = [
            (TIME_Q, HAS_TIME), (MONEY_Q, HAS_MONEY), (DATE_Q, HAS_DATE), (WHERE_Q, HAS_PLACE_WORD), (FEE_Q, HAS_FEE_WORD), (PHONE_Q, HAS_PHONE),
            (NUMERIC_Q, HAS_NUMBER),
        ]
        for asks, has in cues:
            if asks.search(question):
                bonus += 0.15 if has.search(body) else -0.1
                break
        return bonus

    def _names_place(self, hit: Hit, places: list[str]) -> bool:
        """The document is about one of `places`: by its metadata, its text, or its file name in pinyin."""
        meta = hit.document.meta
        known = f"{meta.title} {meta.region} {meta.agency}"
        cores = [_place_core(p) for p in places]
        if any(c in known for c in cores):
            return True
        if places_in(known):
            return False  # the metadata names another place
        source = hit.document.source.lower()
        if any(_pinyin(c) in source for c in cores):
            return True
        text = self.doc_text(hit.document.doc_id)
        return any(c in text for c in cores)

    @staticmethod
    def _fits_constraints(question: str, cand: _Candidate, local: set[str]) -> bool:
        """Evidence from another year, another place, or without the article asked about does not answer."""
        meta = cand.hit.document.meta
        local_text = f"{cand.clean} {cand.hit.chunk.heading}"
        years = set(YEAR.findall(question))
        if years and meta.doc_type == "年度报告":
            doc_years = {str(meta.year)} if meta.year else set(YEAR.findall(meta.title))
            if doc_years and not years & doc_years:
                return False
        if places_in(question) and meta.doc_type == "年度报告" and cand.hit.document.doc_id not in local:
            return False  # a report about another place answers nothing about this one
        articles = ARTICLE_REF.findall(question)
        return not (articles and not any(a in local_text for a in articles))

    def _choose(self, question: str, candidates: list[_Candidate]) -> list[_Candidate]:
        per_place = self._per_place(question, candidates)
        if per_place:
            return per_place
        best = next(c for c in candidates if c.score >= self.threshold)
        chosen = [best]
        parts = [p for p in QUESTION_SPLIT.split(question) if len(p.strip("？? ")) >= 4]
        if len(parts) >= 2:  # "什么时候开始施行？为什么要制定它？": the best evidence for each part
            for part in parts:
                top = self._rank(part, candidates)[0]
                if top.score >= self.threshold and not any(_overlaps(top, c) for c in chosen):
                    chosen.append(top)
            return chosen[: self.max_sentences]
        for cand in candidates[1:]:
            if len(chosen) >= 2:
                break
            if cand.score < max(self.threshold, best.score * 0.9):
                break
            if cand.hit.document.doc_id != best.hit.document.doc_id or any(_overlaps(cand, c) for c in chosen):
                continue
            chosen.append(cand)
        return chosen

    def _per_place(self, question: str, candidates: list[_Candidate]) -> list[_Candidate]:
        """One answer per place when several places with documents of their own are asked about ("富县、瓮安县……")."""
        places = places_in(question)
        if len(places) < 2:
            return []
        docs_by_place = []
        for place in places:
            docs = {c.hit.document.doc_id for c in candidates if self._names_place(c.hit, [place])}
            docs_by_place.append(docs)
        if len({frozenset(d) for d in docs_by_place if d}) < 2:
            return []  # nested places ("武汉市硚口区") or one document for all
        chosen: list[_Candidate] = []
        for docs in docs_by_place:
            match = next((c for c in candidates if c.hit.document.doc_id in docs), None)
            if match and match.score >= self.threshold * 0.8 and match not in chosen:
                chosen.append(match)
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
        lead = f"根据{book_title(chosen[0].hit.document.meta.title)}"
        if len({c.hit.document.doc_id for c in chosen}) > 1:
            lead = "根据已收录的政策文件"
        # The marker sits before the sentence's final punctuation: "……予以答复[1]。"
        body = "".join(f"{s.text[:-1]}[{s.citations[0]}]{s.text[-1]}" for s in sentences)
        return Answer(question, f"{lead}：{body}", False, sentences, citations, hits, evidence_score=best)


def _sentence_for(question: str, cand: _Candidate) -> str:
    text = cand.clean.rstrip("；;，,、 ")
    if cand.hit.chunk.kind == "table_row" and "：" in text:
        text = _table_sentence(question, cand, text)
    if not text.endswith(("。", "！", "？")):
        text = text.rstrip("。") + "。"
    return text


def places_in(text: str) -> list[str]:
    """Place names asked about: "富县、瓮安县、通城县" -> [富县, 瓮安县, 通城县]; generic words are ignored."""
    found: list[str] = []
    for segment in PLACE_SPLIT.split(text):
        for place in PLACE.findall(segment):
            if place not in GENERIC_PLACES and place not in found and len(place) >= 2:
                found.append(place)
    return found


def _is_asked(cand: _Candidate) -> bool:
    text = cand.clean.strip()
    return text.startswith(("问：", "问:", "问")) and text.endswith(("？", "?")) and len(text) < 80


def _answers_follow_questions(candidates: list[_Candidate]) -> None:
    """In Q&A documents ("问：为什么要制定该条例？" then "答：……") the answer is the unit after the question."""
    by_position = sorted(candidates, key=lambda c: (c.hit.document.doc_id, c.start))
    for prev, cand in zip(by_position, by_position[1:], strict=False):
        if _is_asked(prev) and prev.hit.document.doc_id == cand.hit.document.doc_id and cand.start >= prev.end:
            cand.score = max(cand.score, prev.score)
    for cand in candidates:
        if _is_asked(cand):
            cand.score -= 0.3


def _idf_weighted(terms: dict[str, float], candidates: list[_Candidate]) -> dict[str, float]:
    """Words found in every candidate tell them apart least: weight by inverse frequency among the candidates."""
    n = len(candidates)
    if n < 3:
        return terms
    out = {}
    for term, weight in terms.items():
        df = sum(term in c.clean for c in candidates)
        out[term] = weight * math.log(1 + n / (1 + df))
    return out


def _pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text))


def _table_sentence(question: str, cand: _Candidate, row: str) -> str:
    """"行政规范性文件：本年制发件数 5，…" -> "表格中“行政规范性文件”一项：本年制发件数为5件"; only the cells asked about."""
    label, cells = row.split("：", 1)
    pairs = [p.strip().rsplit(" ", 1) for p in cells.split("，") if " " in p.strip()]
    if not pairs:
        return row
    asked_scores = [_overlap(header, question) for header, _ in pairs]
    if max(asked_scores) >= 0.5:
        keep = max(asked_scores)
        pairs = [p for p, sc in zip(pairs, asked_scores, strict=True) if sc == keep]
    elif len(pairs) > 3:
        pairs = [p for p in pairs if p[1] != "0"] or pairs[-1:]
    table = cand.hit.chunk.context
    where = f"（{table}）" if table else ""
    cells_text = "，".join(f"{header}为{value}{_unit(header, value)}" for header, value in pairs)
    return f"表格{where}中“{label.split(' > ')[-1]}”一项：{cells_text}"


def _unit(header: str, value: str) -> str:
    if not re.fullmatch(r"\d[\d,.]*", value):
        return ""
    if "万元" in header:
        return "万元"
    if header.endswith(("件数", "数量", "总计", "自然人", "企业", "机构", "组织", "其他", "维持", "纠正", "结果", "审结")):
        return "件"
    return ""


def _overlap(header: str, question: str) -> float:
    grams = {header[i : i + 2] for i in range(len(header) - 1)}
    return sum(g in question for g in grams) / len(grams) if grams else 0.0


def _squash(text: str) -> str:
    return re.sub(r"[\s《》〈〉“”\"]", "", text)


def _place_core(place: str) -> str:
    """"洪泽区" -> "洪泽": reports write the place with or without its suffix."""
    core = re.sub(r"(自治州|自治县|省|市|区|县|镇|乡|街道)$", "", place)
    return core if len(core) >= 2 else place


def _overlaps(a: _Candidate, b: _Candidate) -> bool:
    return a.hit.document.doc_id == b.hit.document.doc_id and a.start < b.end and b.start < a.end


def refusal(question: str, hits: list[Hit], score: float = 0.0) -> Answer:
    text = f"{REFUSAL_PREFIX}能够回答这个问题的依据。{HANDOFF}"
    return Answer(question, text, True, [Sentence(text, [], True)], [], hits, evidence_score=score)
