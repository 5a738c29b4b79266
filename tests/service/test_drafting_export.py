"""Export: Markdown with footnotes that read back, and a DOCX that opens with real footnotes."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

import docx
import pytest

from service.drafting.docx_export import to_docx
from service.drafting.drafter import Drafter
from service.drafting.markdown import parse_markdown, to_markdown
from service.drafting.model import Draft
from service.drafting.service import document_from_file
from tests.conftest import SAMPLE_CORPUS

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def drafted() -> tuple[Draft, str]:
    doc = document_from_file(SAMPLE_CORPUS / "linjiang_dibao_banfa_2024.txt")
    return Drafter().run(doc), doc.text


def test_markdown_has_one_footnote_per_citation_and_reads_back(drafted: tuple[Draft, str]) -> None:
    draft, text = drafted
    markdown = to_markdown(draft)
    citations = [c for _, p in draft.points() for c in p.citations]
    notes = re.findall(r"^\[\^(\d+)\]: .*〔(.+?):(\d+)-(\d+)〕$", markdown, flags=re.M)
    assert len(notes) == len(citations)
    for (_, doc, start, end), c in zip(notes, citations, strict=True):
        assert (doc, int(start), int(end)) == (c.doc, c.start, c.end)
    assert "## 七、常见问答" in markdown and "**问1：" in markdown
    again = parse_markdown(markdown, draft, text)
    assert [s.name for s in again.sections] == [s.name for s in draft.sections]
    assert [(p.text, p.question) for _, p in again.points()] == [(p.text, p.question) for _, p in draft.points()]
    assert [[(c.start, c.end, c.clause) for c in p.citations] for _, p in again.points()] == \
        [[(c.start, c.end, c.clause) for c in p.citations] for _, p in draft.points()]


def test_public_markdown_leaves_offsets_out(drafted: tuple[Draft, str]) -> None:
    draft, _ = drafted
    public = to_markdown(draft, public=True)
    assert re.search(r"〔[^〔〕]+:\d+-\d+〕", to_markdown(draft))
    assert not re.search(r"〔[^〔〕]+:\d+-\d+〕", public)
    assert public.count("[^1]:") == 1
    assert "起草方式" not in public and "以政策原文为准" in public


def test_docx_opens_and_its_citations_are_footnotes(drafted: tuple[Draft, str]) -> None:
    draft, _ = drafted
    data = to_docx(draft)
    document = docx.Document(BytesIO(data))  # opens
    assert document.paragraphs[0].text == draft.heading
    body = "\n".join(p.text for p in document.paragraphs)
    assert "问1：" in body and "主要内容" in body
    with zipfile.ZipFile(BytesIO(data)) as z:
        names = z.namelist()
        assert "word/footnotes.xml" in names
        assert "footnotes+xml" in z.read("[Content_Types].xml").decode()
        assert "relationships/footnotes" in z.read("word/_rels/document.xml.rels").decode()
        footnotes = z.read("word/footnotes.xml").decode()
        main = z.read("word/document.xml").decode()
    citations = [c for _, p in draft.points() for c in p.citations]
    refs = re.findall(r'<w:footnoteReference w:id="(\d+)"/>', main)
    notes = re.findall(r'<w:footnote w:id="(\d+)">', footnotes)
    assert refs == notes == [str(n) for n in range(1, len(citations) + 1)]
    for c in citations:
        assert "".join(c.quote.split())[:60] in footnotes
    assert "第十条" in footnotes and "linjiang_dibao_banfa_2024.txt" in footnotes


def test_public_docx_has_no_offsets(drafted: tuple[Draft, str], tmp_path: object) -> None:
    draft, _ = drafted
    with zipfile.ZipFile(BytesIO(to_docx(draft, public=True))) as z:
        footnotes = z.read("word/footnotes.xml").decode()
    assert "第十条" in footnotes and "linjiang_dibao_banfa_2024.txt" not in footnotes
