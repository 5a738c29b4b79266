"""A draft as Markdown with footnote citations, and back: reviewers edit the Markdown, the service re-reads it.

Footnotes end with 〔file:start-end〕, the offsets of the quoted span; when a reviewer's edit is read back, the quote
is taken from the policy text at those offsets (never from the edited file), so an edit cannot forge a quote.
The public form, which is published and ingested, leaves the offsets out.
"""

from __future__ import annotations

import re

from service.drafting.clauses import segment
from service.drafting.model import FAQ, SECTION_ORDER, TERMS, Draft, DraftCitation, Point, Section
from service.errors import UserInputError

NUMERALS = "一二三四五六七八九十"
_SECTION = re.compile(rf"^##\s+(?:[{NUMERALS}]+、)?(?P<name>.+?)\s*$")
_QUESTION = re.compile(r"^\*\*问\d*[：:]\s*(?P<q>.+?)\*\*\s*$")
_ANSWER = re.compile(r"^答[：:]\s*(?P<a>.*)$")
_FOOTNOTE = re.compile(r"^\[\^(?P<n>\d+)\]:\s*(?P<label>.*?)\s*〔(?P<doc>[^〔〕]+):(?P<start>\d+)-(?P<end>\d+)〕\s*$")
_MARK = re.compile(r"\[\^(\d+)\]")


def to_markdown(draft: Draft, public: bool = False, status: str = "", version: int | None = None) -> str:
    """The draft in Markdown. `public` leaves out offsets and review notes (the published form)."""
    lines = [f"# {draft.heading}", ""]
    basis = f"《{draft.policy_name}》" + (f"（{draft.doc_number}）" if draft.doc_number else "")
    lines.append(f"> 解读文件：{basis}")
    if not public:
        state = "，".join(x for x in (status, f"第{version}版" if version else "", f"起草方式：{draft.generator}") if x)
        lines.append(f"> {state}。本稿由系统辅助起草，须经人工审核后发布。")
    lines.append("")
    notes: list[str] = []
    for i, section in enumerate(draft.sections):
        lines += [f"## {NUMERALS[i] if i < len(NUMERALS) else i + 1}、{section.name}", ""]
        for k, point in enumerate(section.points, start=1):
            marks = ""
            for c in point.citations:
                notes.append(_footnote(len(notes) + 1, draft, c, public))
                marks += f"[^{len(notes)}]"
            first, *rest = point.text.split("\n")
            if section.name == FAQ:
                lines += [f"**问{k}：{point.question}**", "", f"答：{first}{'' if rest else marks}"]
            else:
                lines.append(f"- {first}{'' if rest else marks}")
            lines += [f"  - {r}{marks if j == len(rest) - 1 else ''}" for j, r in enumerate(rest)]
            if section.name == FAQ:
                lines.append("")
        if section.name != FAQ:
            lines.append("")
    if public:
        lines += ["（本解读由政策解读助手辅助起草，经人工审核后发布，以政策原文为准。）", ""]
    return "\n".join(lines + notes) + "\n"


def _footnote(n: int, draft: Draft, c: DraftCitation, public: bool) -> str:
    quote = "".join(c.quote.split()) if len(c.quote) <= 400 else "".join(c.quote.split())[:399] + "…"
    text = f"[^{n}]: 《{draft.policy_name}》{c.clause}：“{quote}”"
    return text if public else f"{text}〔{c.doc}:{c.start}-{c.end}〕"


def parse_markdown(markdown: str, base: Draft, policy_text: str) -> Draft:
    """A draft with `base`'s metadata and the sections, points and citations of `markdown`.

    Raises UserInputError for an unknown section, a footnote without offsets, or a reference to a missing footnote.
    """
    notes = {m.group("n"): m for m in map(_FOOTNOTE.match, markdown.splitlines()) if m}
    clauses = segment(policy_text, base.title)
    draft = Draft(**{k: getattr(base, k) for k in ("doc", "title", "doc_number", "doc_type", "agency", "issued",
                                                   "topic", "generator")})
    section: Section | None = None
    point: Point | None = None
    question = ""
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if line.startswith("[^") and _FOOTNOTE.match(line):
            continue
        if line.startswith("[^") and "]:" in line:
            raise UserInputError(f"footnote {line[:20]!r} has lost its 〔file:start-end〕 offsets; restore them")
        if m := _SECTION.match(line):
            name = m.group("name")
            if name not in SECTION_ORDER:
                raise UserInputError(f"unknown section {name!r}; sections are {', '.join(SECTION_ORDER)}")
            section, point = Section(name), None
            draft.sections.append(section)
        elif section is None or not line.strip() or line.startswith(("#", ">")):
            continue
        elif m := _QUESTION.match(line):
            question, point = m.group("q"), None
        elif (m := _ANSWER.match(line)) or line.startswith("- "):
            text = m.group("a") if m else line[2:]
            point = Point(text, question=question if m else "")
            section.points.append(point)
            question = ""
        elif line.startswith("  - ") and point is not None:
            point.text += "\n" + line[4:]
        elif point is not None:
            point.text += line.strip()
    for _, p in draft.points():
        refs = _MARK.findall(p.text)
        p.text = _MARK.sub("", p.text).strip()
        for ref in refs:
            if ref not in notes:
                raise UserInputError(f"footnote [^{ref}] is cited but not defined; add it or remove the reference")
            p.citations.append(_citation(notes[ref], clauses, policy_text, base.doc))
        if draft.section(TERMS) and p in draft.section(TERMS).points:  # type: ignore[union-attr]
            p.term = re.split(r"[：:（(]", p.text, maxsplit=1)[0].strip("“”")
    intents = {p.question: p.intent for _, p in base.points() if p.question}
    for _, p in draft.points():
        p.intent = intents.get(p.question, "")
    draft.sections = [s for s in draft.sections if s.points]
    return draft


def _citation(note: re.Match[str], clauses: list, policy_text: str, doc: str) -> DraftCitation:
    start, end = int(note.group("start")), int(note.group("end"))
    if note.group("doc") != doc:
        raise UserInputError(f"footnote [^{note.group('n')}] cites {note.group('doc')!r}; a draft cites only {doc!r}")
    clause = next((c for c in clauses if c.start <= start < max(c.end, c.start + 1)), None)
    label, heading = (clause.label, clause.heading) if clause else ("正文", "")
    return DraftCitation(doc, label, heading, policy_text[start:end], start, end)
