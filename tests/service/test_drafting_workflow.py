"""The drafting workflow: versions, 草稿 -> 已审核 -> 已发布, reviewer edits with a diff, publishing as a 政策解读, and
the FAQ fast path answering a paraphrased citizen question with the same citations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from service.drafting.markdown import parse_markdown, to_markdown
from service.drafting.model import FAQ, MAIN
from service.drafting.service import DraftingService
from service.drafting.store import WorkflowError
from service.errors import UserInputError
from service.settings import Settings
from tests.conftest import SAMPLE_CORPUS

BANFA = "linjiang_dibao_banfa_2024.txt"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from service.assistant import Assistant

    settings = Settings(data_dir=tmp_path_factory.mktemp("drafting") / "data", embedder="fake:256",
                        _env_file=None)  # type: ignore[call-arg]
    assistant = Assistant(settings)
    results = assistant.ingest([SAMPLE_CORPUS])
    assert all(r.ok for r in results)
    return assistant, DraftingService(settings, assistant)


def test_a_new_draft_is_version_one_and_cannot_be_published(env: Any) -> None:
    assistant, svc = env
    _, record = svc.interpret(BANFA, save=True, author="起草人")
    assert (record.status, record.version) == ("草稿", 1)
    assert record.policy_doc_id == assistant.find_document(BANFA).doc_id
    with pytest.raises(WorkflowError, match="unreviewed"):
        svc.publish(record.id, "发布人")
    assert svc.store.get(record.id).status == "草稿"
    assert not [d for d in assistant.documents() if d.meta.doc_type == "政策解读" and "jiedu.md" in d.source]


def test_reviewer_edits_are_a_new_version_with_a_diff(env: Any) -> None:
    _, svc = env
    _, record = svc.interpret(BANFA, save=True, author="起草人")
    original = svc.store.version(record.id, 1).markdown
    edited = original.replace("低保工作坚持应保尽保", "全区低保工作坚持应保尽保")
    assert edited != original
    after = svc.review(record.id, "审核人", edited, "润色")
    assert (after.status, after.version, after.reviewed_version) == ("已审核", 2, 2)
    assert svc.store.version(record.id, 1).markdown == original  # the old version is kept as it was
    assert svc.store.version(record.id, 2).author == "审核人"
    diff = svc.store.diff(record.id)
    assert any(line.startswith("+") and "全区低保工作坚持应保尽保" in line for line in diff.splitlines())
    assert any(line.startswith("-") and "- 低保工作坚持应保尽保" in line for line in diff.splitlines())
    actions = [(e["action"], e["from_status"], e["to_status"]) for e in svc.store.events(record.id)]
    assert actions == [("create", "", "草稿"), ("revise", "草稿", "草稿"), ("approve", "草稿", "已审核")]
    # Editing a reviewed draft sends it back to 草稿: what is published is always what someone approved.
    again = svc.revise(record.id, edited.replace("全区", "本区"), "起草人")
    assert (again.status, again.version) == ("草稿", 3)
    with pytest.raises(WorkflowError):
        svc.publish(record.id, "发布人")


def test_an_edit_that_changes_a_number_cannot_be_approved(env: Any) -> None:
    _, svc = env
    _, record = svc.interpret(BANFA, save=True)
    markdown = svc.store.version(record.id).markdown
    assert "每人每月1050元" in markdown
    with pytest.raises(WorkflowError, match="1500"):
        svc.review(record.id, "审核人", markdown.replace("每人每月1050元", "每人每月1500元"))
    stored = svc.store.version(record.id)  # the failing edit is kept as a version, still a 草稿, flagged
    assert stored.version == 2 and svc.store.get(record.id).status == "草稿"
    bad = [p for s, p in stored.draft.points() if not p.verified]
    assert bad and all(s.name in (MAIN, FAQ) for s, p in stored.draft.points() if not p.verified)


def test_edited_markdown_cannot_forge_a_quote(env: Any) -> None:
    _, svc = env
    draft, record = svc.interpret(BANFA, save=True)
    policy_text = svc.store.policy_text(record.id)
    markdown = to_markdown(draft)
    forged = markdown.replace("现行城乡低保标准为每人每月1050元", "现行城乡低保标准为每人每月9999元", 1)
    assert forged.count("9999") == 1  # only inside a footnote's quote
    parsed = parse_markdown(forged, draft, policy_text)
    quotes = [c.quote for _, p in parsed.points() for c in p.citations]
    assert all("9999" not in q for q in quotes)
    assert all(c.quote == policy_text[c.start : c.end] for _, p in parsed.points() for c in p.citations)
    broken = "\n".join(line.split("〔")[0] if line.startswith("[^1]:") else line for line in markdown.splitlines())
    with pytest.raises(UserInputError, match="offsets"):
        parse_markdown(broken, draft, policy_text)


def test_publishing_ingests_a_linked_interpretation_and_feeds_the_faq_fast_path(env: Any) -> None:
    assistant, svc = env
    question = "我家想申请低保，要准备什么材料？"
    before = assistant.ask(question)
    assert before.generator != "faq"
    _, record = svc.interpret(BANFA, save=True)
    svc.review(record.id, "审核人")
    published = svc.publish(record.id, "发布人")
    assert published.status == "已发布" and published.published_version == 1
    interp = assistant.find_document(published.published_doc_id)
    assert interp.meta.doc_type == "政策解读"
    assert "临江区最低生活保障审核确认办法" in interp.meta.title
    text = assistant.index.registry.document_text(interp.doc_id)
    assert "解读文件：《临江区最低生活保障审核确认办法》（临政规〔2024〕3号）" in text
    assert published.policy_doc_id == assistant.find_document(BANFA).doc_id

    answer = assistant.ask(question)
    assert answer.generator == "faq" and not answer.refused
    assert "低保申请书" in answer.answer
    policy_text = assistant.index.registry.document_text(published.policy_doc_id)
    faq = svc.store.version(record.id).draft.section(FAQ)
    materials = next(p for p in faq.points if p.intent == "materials")
    assert [(c.start, c.end) for c in answer.citations] == [(c.start, c.end) for c in materials.citations]
    for c in answer.citations:
        assert c.doc == BANFA and "第十条" in c.heading
        assert c.quote == policy_text[c.start : c.end]
        assert c.chunk_id  # the chunk of the policy that holds the quote

    amount = assistant.ask("低保每个月能领多少钱？")
    assert amount.generator == "faq" and "1050" in amount.answer
    unrelated = assistant.ask("住房公积金提取要带哪些材料？")
    assert unrelated.generator != "faq"


def test_the_fast_path_stops_when_the_policy_lapses(fake_settings: Settings) -> None:
    from service.assistant import Assistant

    assistant = Assistant(fake_settings)  # its own index: the policy is repealed for good here
    assert assistant.ingest([SAMPLE_CORPUS / BANFA])[0].ok
    svc = DraftingService(fake_settings, assistant)
    _, record = svc.interpret(BANFA, save=True)
    svc.review(record.id, "审核人")
    svc.publish(record.id, "发布人")
    question = "低保审核要多长时间？"
    assert assistant.ask(question).generator == "faq"
    assistant.index.set_validity(assistant.find_document(BANFA).doc_id, "已废止")
    assert assistant.ask(question).generator != "faq"


def test_drafts_from_a_file_and_from_text(env: Any, tmp_path: Path) -> None:
    _, svc = env
    draft, record = svc.interpret(str(SAMPLE_CORPUS / "linjiang_linshi_jiuzhu_guide.pdf"))
    assert record is None and draft.topic == "临时救助"
    text = "某镇助学补贴办法\n第一条　为帮助困难学生，制定本办法。\n第二条　补贴标准为每人每年800元。\n"
    pasted, _ = svc.interpret(text=text, title="某镇助学补贴办法")
    assert pasted.doc == "某镇助学补贴办法.txt"
    assert any("800" in p.text for _, p in pasted.points())
    with pytest.raises(UserInputError):
        svc.interpret("/etc/hostname", files=False)  # over HTTP, a server path is not a document
    with pytest.raises(UserInputError):
        svc.interpret(text="没有条款。")


def test_a_revision_under_review_keeps_the_published_faq_live(env: Any) -> None:
    assistant, svc = env
    _, record = svc.interpret(BANFA, save=True)
    svc.review(record.id, "审核人")
    svc.publish(record.id, "发布人")
    markdown = svc.store.version(record.id).markdown
    revised = svc.revise(record.id, markdown.replace("**问1：哪些人可以申请低保？**", "**问1：谁能申请低保？**"), "起草人")
    assert revised.status == "草稿" and revised.published_version == 1
    answer = assistant.ask("哪些人可以申请低保？")
    assert answer.generator == "faq" and "哪些人可以申请低保" in answer.answer  # the published wording, not the draft's
