"""Hits built by hand (no index) and a scripted generator, for the generation tests."""

from __future__ import annotations

from retriever.types import Chunk, DocumentMeta, DocumentRecord, Hit
from service.generation.providers import ChatModelGenerator
from service.generation.scripted import ScriptedChatModel

BANFA = DocumentMeta(
    title="临江区最低生活保障审核确认办法", doc_number="临政规〔2024〕3号", issued="2024-02-08",
    effective="2024-03-01", doc_type="规范性文件", region="临江区", validity="现行有效",
)
GUIDE = DocumentMeta(title="临江区临时救助申请办事指南", doc_type="办事指南", region="临江区")

STANDARD = "第六条 本区实行城乡统一的低保标准，现行城乡低保标准为每人每月1050元。低保标准由区民政局会同区财政局拟定。"
REVIEW = "第十二条 乡镇（街道）应当自受理之日起15个工作日内完成审核。区民政局应当自收到审核意见之日起10个工作日内作出确认决定。"
RELIEF = "临时救助的承诺办理时限为5个工作日，申请临时救助不收取任何费用。"


def make_hit(text: str, meta: DocumentMeta = BANFA, source: str = "banfa.txt", offset: int = 100,
             heading: list[str] | None = None, score: float = 1.0) -> Hit:
    """A hit whose chunk is `text`, placed at `offset` in its document, with one unit per sentence."""
    units, start = [], offset
    for piece in text.split("。"):
        if piece:
            end = start + len(piece) + 1
            units.append((start, min(end, offset + len(text))))
            start = end
    chunk = Chunk(doc_id=source, ordinal=0, text=text, start=offset, end=offset + len(text), clean=text,
                  heading_path=heading or ["第二章"], units=units)
    record = DocumentRecord(doc_id=source, source=source, kb="default", meta=meta)
    return Hit(chunk, record, score)


def default_hits() -> list[Hit]:
    return [make_hit(STANDARD), make_hit(REVIEW, offset=400), make_hit(RELIEF, GUIDE, "guide.pdf", 0)]


def scripted(*replies: object, name: str = "openai:scripted", **kwargs: object) -> tuple[ChatModelGenerator,
                                                                                         ScriptedChatModel]:
    model = ScriptedChatModel(replies=list(replies), **kwargs)
    return ChatModelGenerator(model, name, "scripted"), model
