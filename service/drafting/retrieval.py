"""BM25 over the passages of one document: which passages are about a section, or answer a question."""

from __future__ import annotations

from functools import lru_cache

from retriever.lexical import BM25Index, ChineseTokenizer, SynonymExpander


@lru_cache(maxsize=1)
def shared_tokenizer() -> ChineseTokenizer:
    """One tokenizer per process: loading jieba's dictionary takes seconds, every drafter can share it."""
    return ChineseTokenizer()


class PassageSearch:
    """Scores passages of one document against a query, normalised so that the best passage scores 1."""

    def __init__(self, texts: list[str], tokenizer: ChineseTokenizer, synonyms: SynonymExpander | None = None) -> None:
        self.tokenizer = tokenizer
        self.synonyms = synonyms or SynonymExpander()
        self._index = BM25Index()
        self._index.build([(str(i), "doc", tokenizer.tokenize(t)) for i, t in enumerate(texts)])
        self._n = len(texts)

    def scores(self, query: str) -> dict[int, float]:
        tokens = self.tokenizer.tokenize(query)
        for term in self.synonyms.expand(query):
            tokens.extend(self.tokenizer.tokenize(term))
        hits = self._index.search(tokens, max(self._n, 1))
        if not hits:
            return {}
        top = hits[0][1]
        return {int(i): s / top for i, s in hits}
