"""Staff drafting of plain-language 政策解读, cited clause by clause (issue #6).

`Drafter` turns a policy document into a `Draft` (sections of points, each with the exact span it quotes), by
rules and retrieval, with the glossary in `glossary.txt` for plain words and optionally a language model for
rewriting under #3's verification. `DraftStore` keeps versions and the 草稿 -> 已审核 -> 已发布 workflow;
`DraftingService` wires both to the assistant and publishes; `FaqFastPath` answers citizens from published
常见问答. Exports: `to_markdown`, `to_docx`.
"""

from __future__ import annotations

from service.drafting.drafter import Drafter
from service.drafting.faq import FaqFastPath, install_faq_fast_path
from service.drafting.glossary import Glossary
from service.drafting.model import SECTION_ORDER, Draft, DraftCitation, Point, Section
from service.drafting.readability import ReadabilityTargets
from service.drafting.store import DraftStore, WorkflowError

__all__ = [
    "SECTION_ORDER", "Draft", "DraftCitation", "DraftStore", "Drafter", "FaqFastPath", "Glossary", "Point",
    "ReadabilityTargets", "Section", "WorkflowError", "install_faq_fast_path",
]
