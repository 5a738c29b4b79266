"""The glossary of 政务 terms and their plain equivalents (a data file staff can edit), and applying it to text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

KINDS = ("术语", "用语", "删除")
_PROTECTED = re.compile(r"《[^《》]*》|“[^“”]*”")
_DIGIT = re.compile(r"\d")
NAME_PARTS = ("科", "局", "处", "站", "所", "中心", "监督", "热线", "电话", "窗口", "服务", "管理")


@dataclass(frozen=True)
class Entry:
    kind: str  # 术语: explained the first time | 用语: replaced | 删除: removed
    term: str
    plain: str
    explanation: str = ""

    @property
    def suggestion(self) -> str:
        if self.kind == "删除":
            return "删去这段套话"
        plain = f"{self.plain}（{self.explanation}）" if self.explanation else self.plain
        return f"改为“{plain}”"


class Glossary:
    """Replaces official terms by plain ones, longest term first, never inside 《书名》 or “引语”.

    Raises ValueError when an entry is malformed: the message names the line to fix.
    """

    def __init__(self, entries: list[Entry]) -> None:
        seen: set[str] = set()
        for e in entries:
            if e.kind not in KINDS:
                raise ValueError(f"glossary term {e.term!r}: kind must be one of {', '.join(KINDS)}, not {e.kind!r}")
            if not e.term or e.term in seen:
                raise ValueError(f"glossary term {e.term!r} is empty or listed twice; keep one line per term")
            if (e.kind == "删除") != (not e.plain):
                raise ValueError(f"glossary term {e.term!r}: only 删除 entries (and all of them) have no plain word")
            if _DIGIT.search(e.plain + e.explanation):
                raise ValueError(f"glossary term {e.term!r}: no digits in plain words or explanations, "
                                 "so that every number of a draft comes from the policy")
            seen.add(e.term)
        self.entries = {e.term: e for e in entries}
        terms = sorted(self.entries, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, terms))) if terms else None

    @classmethod
    def load(cls, path: Path | str | None = None) -> Glossary:
        """The glossary in `path` (tab-separated: kind, term, plain, explanation), or the bundled glossary.txt."""
        if path is None:
            text = resources.files("service.drafting").joinpath("glossary.txt").read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        entries = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 2:
                raise ValueError(f"glossary line {n}: need tab-separated columns 类别, 原词, 通俗说法, 解释")
            cols += [""] * (4 - len(cols))
            entries.append(Entry(*(c.strip() for c in cols[:4])))
        return cls(entries)

    def _matches(self, text: str) -> list[re.Match[str]]:
        if self._pattern is None:
            return []
        protected = [(m.start(), m.end()) for m in _PROTECTED.finditer(text)]
        return [
            m for m in self._pattern.finditer(text)
            if not any(s < m.start() < e for s, e in protected)
        ]

    def simplify(self, text: str, explained: set[str] | None = None) -> tuple[str, list[Entry]]:
        """`text` in plain words, and the entries applied. A 术语 is explained once per `explained` set."""
        explained = explained if explained is not None else set()
        out: list[str] = []
        applied: list[Entry] = []
        pos = 0
        for m in self._matches(text):
            entry = self.entries[m.group(0)]
            out.append(text[pos : m.start()])
            replacement = entry.plain
            inside_name = text[m.end() : m.end() + 2].startswith(NAME_PARTS)  # 社会救助科, 社会救助监督电话
            if entry.kind == "术语" and entry.explanation and entry.plain not in explained and not inside_name:
                replacement = f"{entry.plain}（{entry.explanation}）"
                explained.add(entry.plain)
            out.append(replacement)
            applied.append(entry)
            pos = m.end()
        out.append(text[pos:])
        return "".join(out), applied

    def jargon(self, text: str) -> dict[str, int]:
        """Official terms that have a plainer equivalent and are still in `text`, with their counts."""
        counts: dict[str, int] = {}
        for m in self._matches(text):
            entry = self.entries[m.group(0)]
            if entry.plain != entry.term:
                counts[entry.term] = counts.get(entry.term, 0) + 1
        return counts

    def explained_terms(self, text: str) -> list[Entry]:
        """术语 with an explanation that occur in `text`, in order of first occurrence, each once."""
        found: list[Entry] = []
        for m in self._matches(text):
            entry = self.entries[m.group(0)]
            if entry.kind == "术语" and entry.explanation and all(f.plain != entry.plain for f in found):
                found.append(entry)
        return found
