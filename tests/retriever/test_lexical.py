"""Chinese keyword search must really work: tokens, numbers, synonyms."""

from __future__ import annotations

from retriever.lexical import BM25Index, ChineseTokenizer, SynonymExpander


def test_tokens_are_words_not_characters_and_numbers_survive_spacing() -> None:
    tokens = ChineseTokenizer().tokenize("2024 年收到政府信息公开申请 749 件")
    assert "2024" in tokens and "749" in tokens
    assert "政府信息公开" in tokens, "the 政务 user dictionary keeps the term whole"
    assert "的" not in ChineseTokenizer().tokenize("低保的标准")


def test_bm25_ranks_the_matching_chunk_first_and_respects_the_document_filter() -> None:
    tok = ChineseTokenizer()
    index = BM25Index()
    index.build([
        ("a", "d1", tok.tokenize("最低生活保障标准为每人每月1050元")),
        ("b", "d2", tok.tokenize("住房公积金缴存比例不得低于百分之五")),
        ("c", "d2", tok.tokenize("政府信息公开申请应当在20个工作日内答复")),
    ])
    assert index.search(tok.tokenize("公积金缴存比例"), 3)[0][0] == "b"
    assert index.search(tok.tokenize("公积金缴存比例"), 3, allowed_docs={"d1"}) == []
    assert index.search(tok.tokenize("完全无关的词语"), 3) == []


def test_synonym_expansion_goes_both_ways() -> None:
    expander = SynonymExpander([["低保", "最低生活保障"], ["公积金", "住房公积金"]])
    assert expander.expand("低保怎么申请") == ["最低生活保障"]
    assert "低保" in expander.expand("最低生活保障标准")
    assert expander.expand("居住证") == []
