"""Chinese lexical search: jieba tokens with a 政务 user dictionary, BM25 via bm25s, synonym expansion of queries.

Keyword search that silently does nothing on Chinese is the most common complaint about "hybrid" systems, so
tokenisation is explicit here and tested.
"""

from __future__ import annotations

import logging
import re
import threading
from importlib import resources

import bm25s
import jieba
import numpy as np

STOPWORDS = frozenset(
    ["的", "了", "是", "在", "和", "与", "及", "或", "等", "吗", "呢", "吧", "啊", "么", "呀", "我", "你", "他", "她", "它", "我们", "你们", "他们", "这", "那", "这个", "那个", "哪", "哪个", "哪些", "什么", "怎么", "怎样", "如何", "多少", "几", "请问", "一下", "可以", "能", "能否", "要", "需要", "有", "没有", "对", "把", "被", "给", "向", "从", "到", "为", "以", "之", "其", "中", "上", "下", "里", "个", "也", "都", "就", "还", "又", "是否", "哪里", "哪儿", "时候", "应该", "应当", "一个", "进行", "相关"]
)
TOKEN_OK = re.compile(r"[\w\u4e00-\u9fff]")
NUMBER_SPACES = re.compile(r"(?<=\d)\s+(?=[\d\u4e00-\u9fff%])|(?<=[\u4e00-\u9fff])\s+(?=\d)")


def _load_lines(name: str) -> list[str]:
    text = resources.files("retriever.data").joinpath(name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


class ChineseTokenizer:
    """jieba search-mode tokens, lower-cased, without punctuation and stopwords."""

    _init_lock = threading.Lock()

    def __init__(self) -> None:
        self._jieba: jieba.Tokenizer | None = None

    def _tokenizer(self) -> jieba.Tokenizer:
        with self._init_lock:
            if self._jieba is None:
                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.initialize()
                for line in _load_lines("userdict.txt"):
                    word, *rest = line.split()
                    tok.add_word(word, int(rest[0]) if rest else None)
                self._jieba = tok
            return self._jieba

    def tokenize(self, text: str) -> list[str]:
        text = NUMBER_SPACES.sub("", text).lower()
        out = []
        for tok in self._tokenizer().cut_for_search(text):
            tok = tok.strip()
            if tok and tok not in STOPWORDS and TOKEN_OK.search(tok):
                out.append(tok)
        return out


class SynonymExpander:
    """Adds the official word for a citizen's word (and back) to a lexical query."""

    def __init__(self, groups: list[list[str]] | None = None) -> None:
        self.groups = groups if groups is not None else [ln.split() for ln in _load_lines("synonyms.txt")]

    def expand(self, query: str) -> list[str]:
        """The extra terms to search for, not already in `query`."""
        extra: list[str] = []
        for group in self.groups:
            if any(term in query for term in group):
                extra.extend(t for t in group if t not in query and t not in extra)
        return extra


class BM25Index:
    """An in-memory BM25 index over chunk token lists; rebuilt from the registry's stored tokens."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._ids: list[str] = []
        self._doc_ids: list[str] = []
        self._model: bm25s.BM25 | None = None
        self._lock = threading.RLock()

    def build(self, items: list[tuple[str, str, list[str]]]) -> None:
        """(chunk_id, doc_id, tokens) for every chunk."""
        with self._lock:
            self._ids = [i for i, _, _ in items]
            self._doc_ids = [d for _, d, _ in items]
            if not items:
                self._model = None
                return
            model = bm25s.BM25(k1=self.k1, b=self.b)
            model.index([toks or ["\u0000"] for _, _, toks in items], show_progress=False)
            self._model = model

    def __len__(self) -> int:
        return len(self._ids)

    def search(self, tokens: list[str], k: int, allowed_docs: set[str] | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk_id, score) with score > 0, restricted to chunks of `allowed_docs` when given."""
        with self._lock:
            if self._model is None or not tokens:
                return []
            known = [t for t in tokens if t in self._model.vocab_dict]
            if not known:
                return []
            scores = np.asarray(self._model.get_scores(known), dtype=np.float64)
            if allowed_docs is not None:
                mask = np.fromiter((d in allowed_docs for d in self._doc_ids), dtype=bool, count=len(self._doc_ids))
                scores = np.where(mask, scores, 0.0)
            top = np.argsort(-scores, kind="stable")[:k]
            return [(self._ids[i], float(scores[i])) for i in top if scores[i] > 0]
