"""A draft as a Word document whose citations are real footnotes (python-docx has no footnote API, so the
footnotes part is written here: a `word/footnotes.xml` related to the main document, referenced from runs)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from service.drafting.model import FAQ, Draft, DraftCitation

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_SEPARATORS = (
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
    '</w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
)


def to_docx(draft: Draft, path: Path | str | None = None, public: bool = False) -> bytes:
    """The draft as DOCX bytes (also written to `path` when given). Each citation is a footnote."""
    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(12)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")  # Chinese text font
    document.add_heading(draft.heading, level=0)
    basis = f"《{draft.policy_name}》" + (f"（{draft.doc_number}）" if draft.doc_number else "")
    document.add_paragraph(f"解读文件：{basis}")
    if not public:
        document.add_paragraph(f"起草方式：{draft.generator}。本稿由系统辅助起草，须经人工审核后发布。")
    notes: list[str] = []
    numerals = "一二三四五六七八九十"
    for i, section in enumerate(draft.sections):
        document.add_heading(f"{numerals[i] if i < len(numerals) else i + 1}、{section.name}", level=1)
        for k, point in enumerate(section.points, start=1):
            if section.name == FAQ:
                question = document.add_paragraph()
                question.add_run(f"问{k}：{point.question}").bold = True
                paragraph = document.add_paragraph("答：" + point.text.replace("\n", "\n  "))
            else:
                paragraph = document.add_paragraph(point.text.replace("\n", "\n  "), style="List Bullet")
            for c in point.citations:
                notes.append(_note_text(draft, c, public))
                _add_reference(paragraph, len(notes))
    _add_footnotes_part(document, notes)
    buffer = BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def _note_text(draft: Draft, c: DraftCitation, public: bool) -> str:
    quote = "".join(c.quote.split())
    text = f"《{draft.policy_name}》{c.clause}：“{quote}”"
    return text if public else f"{text}（{c.doc}，第{c.start}—{c.end}字）"


def _add_reference(paragraph: Paragraph, n: int) -> None:
    run = paragraph.add_run()
    props = OxmlElement("w:rPr")
    align = OxmlElement("w:vertAlign")
    align.set(qn("w:val"), "superscript")
    props.append(align)
    run._r.append(props)
    ref = OxmlElement("w:footnoteReference")
    ref.set(qn("w:id"), str(n))
    run._r.append(ref)


def _add_footnotes_part(document: object, notes: list[str]) -> None:
    body = "".join(
        f'<w:footnote w:id="{n}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
        f'<w:r><w:t xml:space="preserve"> {escape(text)}</w:t></w:r></w:p></w:footnote>'
        for n, text in enumerate(notes, start=1)
    )
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<w:footnotes xmlns:w="{W_NS}">{_SEPARATORS}{body}</w:footnotes>')
    main = document.part  # type: ignore[attr-defined]
    part = Part(PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, xml.encode("utf-8"), main.package)
    main.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
