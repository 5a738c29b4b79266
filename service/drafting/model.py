"""The draft of a 政策解读: sections of points, each point citing the exact spans of the policy it comes from."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

BACKGROUND = "出台背景与依据"
MAIN = "主要内容"
SCOPE = "适用对象与条件"
PROCESS = "办理流程、材料与时限"
CONTACT = "咨询渠道"
TERMS = "名词解释"
FAQ = "常见问答"
SECTION_ORDER: tuple[str, ...] = (BACKGROUND, MAIN, SCOPE, PROCESS, CONTACT, TERMS, FAQ)

_PRINTED_TITLE = re.compile(r"印发[《“](?P<name>[^》”]+)[》”]")


@dataclass
class DraftCitation:
    """The span of the policy a point rests on: `quote` is exactly `policy_text[start:end]`."""

    doc: str  # the policy's source file name
    clause: str  # how people cite it: 第五条, or the heading it sits under
    heading: str  # the full heading path, "第二章　申请条件和保障标准 > 第五条"
    quote: str
    start: int
    end: int
    verified: bool = False


@dataclass
class Point:
    """One statement of the draft. `question` is set for 常见问答, `term` for 名词解释."""

    text: str
    citations: list[DraftCitation] = field(default_factory=list)
    question: str = ""
    term: str = ""
    intent: str = ""  # the kind of citizen question a 常见问答 answers (materials, deadline, ...)
    basis: str = "document"  # document | glossary (a 名词解释 whose wording comes from the glossary file)
    verified: bool = False
    problems: list[str] = field(default_factory=list)


@dataclass
class Section:
    name: str
    points: list[Point] = field(default_factory=list)


@dataclass
class Draft:
    """A whole interpretation draft of one policy document."""

    doc: str  # the policy's source file name
    title: str  # the policy's title as indexed
    doc_number: str = ""
    doc_type: str = ""
    agency: str = ""
    issued: str = ""
    sections: list[Section] = field(default_factory=list)
    topic: str = ""  # the plain name of what the policy is about (低保, 公积金), used by the FAQ fast path
    generator: str = "rules"
    readability: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def policy_name(self) -> str:
        """The name of the policy itself: for an 印发通知, the document it prints."""
        match = _PRINTED_TITLE.search(self.title)
        return match.group("name") if match else self.title.strip("《》")

    @property
    def heading(self) -> str:
        return f"《{self.policy_name}》政策解读"

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def points(self) -> Iterator[tuple[Section, Point]]:
        for section in self.sections:
            for point in section.points:
                yield section, point

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["heading"] = self.heading
        data["seconds"] = round(self.seconds, 4)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        """The inverse of `to_dict`; unknown keys are ignored. Raises KeyError or TypeError on a malformed dict."""
        sections = [
            Section(
                s["name"],
                [
                    Point(**{k: v for k, v in p.items() if k != "citations"},
                          citations=[DraftCitation(**c) for c in p.get("citations", [])])
                    for p in s.get("points", [])
                ],
            )
            for s in data.get("sections", [])
        ]
        known = {"doc", "title", "doc_number", "doc_type", "agency", "issued", "topic", "generator", "readability",
                 "seconds"}
        return cls(sections=sections, **{k: v for k, v in data.items() if k in known})

    def verified_share(self) -> float:
        """Share of points whose every citation is verified and whose text passed the number check."""
        points = [p for _, p in self.points()]
        return sum(p.verified for p in points) / len(points) if points else 0.0
