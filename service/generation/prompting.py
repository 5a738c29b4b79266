"""Versioned prompts and the numbered sources they present to the model.

Sources are data, never instructions: each one is fenced in `<资料 编号="n">…</资料>` (a fence inside a document
is defused), and sentences of a document that address the model ("忽略以上指令……", "【系统指令】") are left out of
both what the model reads and what its answer is checked against, so repeating them can never pass verification.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources

from ingest.cleaning import normalize_for_reading
from retriever.types import Hit
from service.generation.base import ChatMessage
from service.generation.facts import Facts
from service.generation.verify import unit_evidence

PROMPT_FILE = re.compile(r"^(?P<name>[a-z_]+)\.v(?P<version>\d+)\.md$")
SECTION = re.compile(r"^## (system|user)\s*$", re.MULTILINE)
FENCE = re.compile(r"</?\s*资料")
INSTRUCTION_LIKE = re.compile(
    r"系统指令|系统提示|忽略(?:以上|上述|之前|前面|先前|所有)?[^。！？\n]{0,12}(?:指令|规则|要求|提示)|"
    r"(?:你|您)(?:现在|必须|只能)(?:是|扮演|回答|输出)|请(?:直接)?(?:只)?输出[:：]|"
    r"ignore (?:all |any )?(?:previous|above|prior) (?:instructions|rules)|system prompt|you are now",
    re.IGNORECASE,
)
UNIT_SPLIT = re.compile(r"(?<=[。！？!?；;\n])")


@dataclass(frozen=True)
class Prompt:
    """One version of a prompt: a system message and a user template with `{{placeholders}}`."""

    name: str
    version: int
    system: str
    user: str

    @property
    def id(self) -> str:
        """What is recorded with each answer, e.g. "answer.v1"."""
        return f"{self.name}.v{self.version}"

    def render(self, **values: str) -> list[ChatMessage]:
        """The chat messages; raises KeyError naming a placeholder left without a value."""
        user = self.user
        for key in re.findall(r"\{\{(\w+)\}\}", self.user):
            if key not in values:
                raise KeyError(f"prompt {self.id} needs a value for {{{{{key}}}}}")
            user = user.replace("{{" + key + "}}", values[key])
        return [ChatMessage(role="system", content=self.system), ChatMessage(role="user", content=user)]


def load_prompt(name: str, version: int | None = None) -> Prompt:
    """The prompt file `name.v<version>.md` (the highest version when None); raises ValueError when absent."""
    files = resources.files("service.generation.prompts")
    found = {}
    for entry in files.iterdir():
        m = PROMPT_FILE.match(entry.name)
        if m and m.group("name") == name:
            found[int(m.group("version"))] = entry
    if not found or (version is not None and version not in found):
        raise ValueError(f"no prompt {name}.v{version or '*'}.md in service/generation/prompts (have {sorted(found)})")
    chosen = version if version is not None else max(found)
    text = found[chosen].read_text(encoding="utf-8")
    parts = SECTION.split(text)
    sections = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    if set(sections) != {"system", "user"}:
        raise ValueError(f"prompt {name}.v{chosen}.md must have a '## system' and a '## user' section")
    return Prompt(name, chosen, sections["system"], sections["user"])


def drop_instructions(text: str) -> str:
    """`text` without its sentences that address the model (an indirect injection inside a document)."""
    if not INSTRUCTION_LIKE.search(text):
        return text
    return "".join(p for p in UNIT_SPLIT.split(text) if not INSTRUCTION_LIKE.search(p))


@dataclass
class Source:
    """One numbered source shown to the model: a retrieved hit, its text as the model reads it, its quotable units."""

    n: int
    hit: Hit
    body: str
    units: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, readable text) in the document

    @property
    def evidence(self) -> str:
        """What an answer citing [n] is checked against: the metadata shown to the model and the body."""
        meta = self.hit.document.meta
        fields = (meta.title, meta.doc_number, meta.issued, meta.effective, meta.validity, self.hit.chunk.heading)
        return "\n".join([*(f for f in fields if f), self.body])

    @cached_property
    def unit_evidence(self) -> list[tuple[Facts, set[str]]]:
        """Each unit's facts and bigrams, computed once, for choosing the span a citation quotes."""
        return [unit_evidence(text) for _, _, text in self.units]

    def render(self) -> str:
        meta = self.hit.document.meta
        lines = [f'<资料 编号="{self.n}">', f"标题：《{_defuse(meta.title)}》"]
        for label, value in (("文号", meta.doc_number), ("发布日期", meta.issued), ("施行日期", meta.effective),
                             ("效力", meta.validity if meta.validity != "未知" else ""),
                             ("章节", self.hit.chunk.heading)):
            if value:
                lines.append(f"{label}：{_defuse(value)}")
        lines += ["正文：", _defuse(self.body), "</资料>"]
        return "\n".join(lines)


def build_sources(hits: list[Hit], max_chars: int = 1200, budget: int | None = None) -> list[Source]:
    """Numbered sources from hits, best first; each body cut to `max_chars` characters, and the hits that do not fit
    in `budget` characters of bodies in all (a small model's context window) left out (the first always stays)."""
    sources: list[Source] = []
    used = 0
    for n, hit in enumerate(hits, start=1):
        chunk = hit.chunk
        body = drop_instructions("\n".join(p for p in (chunk.context, chunk.clean) if p))[:max_chars]
        used += len(body)
        if budget is not None and sources and used > budget:
            break
        rows = chunk.clean.split("\n") if chunk.kind == "table_row" else []
        units = []
        for i, (s, e) in enumerate(chunk.units or [(chunk.start, chunk.end)]):
            raw = chunk.text[s - chunk.start : e - chunk.start]
            readable = (rows[i] if i < len(rows) else normalize_for_reading(raw)).strip()
            if readable and not INSTRUCTION_LIKE.search(readable):
                units.append((s, e, readable))
        sources.append(Source(n, hit, body, units))
    return sources


def render_sources(sources: list[Source]) -> str:
    return "\n\n".join(s.render() for s in sources)


def _defuse(text: str) -> str:
    return FENCE.sub(lambda m: m.group().replace("<", "〈"), text)
