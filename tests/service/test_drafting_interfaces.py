"""The edges of drafting: the CLI, `POST /v1/interpret` and the workflow routes, the LLM rewrite hook, the UI page."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from retriever.types import DocumentMeta, PolicyDocument
from service.cli import app
from service.drafting.drafter import Drafter
from service.drafting.store import WorkflowError
from service.drafting.verify import GeneratorRewriter, accept_rewrite
from service.generation.providers import ChatModelGenerator
from service.generation.scripted import ScriptedChatModel
from service.settings import Settings
from tests.conftest import SAMPLE_CORPUS

BANFA = SAMPLE_CORPUS / "linjiang_dibao_banfa_2024.txt"
TOKEN = "k7Qp2mZx9LwR4tYb8nVc"
SMALL = ("某县困难老人补贴办法\n第一条　为保障困难老人基本生活，制定本办法。\n"
         "第二条　补贴标准为每人每月300元，按月发放到老人本人账户。\n第三条　本办法自2025年1月1日起施行。\n")


def cli(tmp_path: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--data-dir", str(tmp_path / "data"), "--embedder", "fake:256", *args])


def test_cli_interpret_json_lists_sections_points_and_exact_citations(tmp_path: Path) -> None:
    result = cli(tmp_path, "interpret", str(BANFA), "--json", "--out", str(tmp_path / "d.docx"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    text = BANFA.read_text(encoding="utf-8")
    assert data["draft_id"] is None and len(data["sections"]) == 7
    for section in data["sections"]:
        assert section["name"] and section["points"]
        for point in section["points"]:
            for c in point["citations"]:
                assert {"doc", "quote", "start", "end"} <= set(c)
                assert text[c["start"] : c["end"]] == c["quote"]
    assert zipfile.is_zipfile(tmp_path / "d.docx")


def test_cli_workflow_refuses_to_publish_before_review(tmp_path: Path) -> None:
    assert cli(tmp_path, "ingest", str(BANFA)).exit_code == 0
    saved = cli(tmp_path, "interpret", BANFA.name, "--save", "--author", "起草人")
    assert saved.exit_code == 0 and "## 一、出台背景与依据" in saved.stdout
    refused = cli(tmp_path, "drafts", "publish", "1", "--publisher", "发布人")
    assert isinstance(refused.exception, WorkflowError)
    edited = tmp_path / "edited.md"
    shown = cli(tmp_path, "drafts", "show", "1", "--json")
    edited.write_text(json.loads(shown.stdout)["markdown"].replace("制定本办法", "制定这个办法"), encoding="utf-8")
    reviewed = cli(tmp_path, "drafts", "review", "1", "--reviewer", "审核人", "--file", str(edited))
    assert reviewed.exit_code == 0 and "version 2, 已审核" in reviewed.stdout
    assert "+- " in cli(tmp_path, "drafts", "diff", "1").stdout
    published = cli(tmp_path, "drafts", "publish", "1", "--publisher", "发布人")
    assert published.exit_code == 0 and "已发布" in published.stdout
    listed = json.loads(cli(tmp_path, "drafts", "list", "--json").stdout)
    assert [(d["id"], d["status"], d["version"]) for d in listed] == [(1, "已发布", 2)]
    out = tmp_path / "public.md"
    assert cli(tmp_path, "drafts", "export", "1", str(out), "--public").exit_code == 0
    assert "制定这个办法" in out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from fastapi.testclient import TestClient

    from service.api.app import create_app
    from service.assistant import Assistant

    settings = Settings(data_dir=tmp_path_factory.mktemp("api") / "data", embedder="fake:256", staff_token=TOKEN,
                        _env_file=None)  # type: ignore[call-arg]
    assistant = Assistant(settings)
    assistant.ingest([BANFA])
    return TestClient(create_app(settings, assistant=assistant))


def test_post_interpret_needs_staff_and_returns_the_draft(client: Any) -> None:
    assert client.post("/v1/interpret", json={"text": SMALL}).status_code == 401
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = client.post("/v1/interpret", json={"text": SMALL, "title": "某县困难老人补贴办法"}, headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["draft_id"] is None and "# 《某县困难老人补贴办法》政策解读" in body["markdown"]
    quotes = [c for s in body["sections"] for p in s["points"] for c in p["citations"]]
    assert quotes and all(SMALL[c["start"] : c["end"]] == c["quote"] for c in quotes)
    assert client.post("/v1/interpret", json={"doc": "/etc/hostname"}, headers=auth).status_code == 422
    assert client.post("/v1/interpret", json={}, headers=auth).status_code == 422


def test_http_workflow(client: Any) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    created = client.post("/v1/interpret", json={"doc": BANFA.name, "save": True, "author": "起草人"}, headers=auth)
    draft_id = created.json()["draft_id"]
    assert created.json()["status"] == "草稿"
    assert client.post(f"/v1/drafts/{draft_id}/publish", json={"publisher": "p"}, headers=auth).status_code == 409
    assert client.post(f"/v1/drafts/{draft_id}/review", json={"reviewer": "r"}, headers=auth).json()["status"] == "已审核"
    published = client.post(f"/v1/drafts/{draft_id}/publish", json={"publisher": "p"}, headers=auth)
    assert published.status_code == 200 and published.json()["status"] == "已发布"
    exported = client.get(f"/v1/drafts/{draft_id}/export", params={"format": "docx"}, headers=auth)
    assert exported.headers["content-type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(BytesIO(exported.content)) as z:
        assert "word/footnotes.xml" in z.namelist()
    shown = client.get(f"/v1/drafts/{draft_id}", headers=auth).json()
    assert [e["action"] for e in shown["events"]] == ["create", "approve", "publish"]


def scripted(reply: Any) -> GeneratorRewriter:
    model = ScriptedChatModel(replies=[reply], repeat_last=True)
    return GeneratorRewriter(ChatModelGenerator(model, "openai:scripted", "scripted"), timeout=10, retries=0)


def _draft_part(prompt: str) -> str:
    return prompt.split("要点初稿：", 1)[1].split("\n\n请改写要点", 1)[0]


def test_llm_rewrites_are_kept_only_when_they_pass_verification() -> None:
    doc = PolicyDocument("laoren.txt", SMALL, DocumentMeta(title="某县困难老人补贴办法"))
    kept = Drafter(rewriter=scripted(lambda prompt: "简单说：" + _draft_part(prompt))).run(doc)
    assert kept.generator.startswith("rules+openai:scripted")
    assert any(p.text.startswith("简单说：") for _, p in kept.points())
    assert all(p.verified for _, p in kept.points())

    wrong = Drafter(rewriter=scripted(lambda prompt: _draft_part(prompt).replace("300", "3000"))).run(doc)
    texts = [p.text for _, p in wrong.points()]
    assert not any("3000" in t for t in texts) and any("300元" in t for t in texts)
    rules_only = [p.text for _, p in Drafter().run(doc).points() if not p.term]
    with_300 = sum("300" in t for t in rules_only)
    assert with_300 >= 2  # the standard in 主要内容 and in 常见问答
    assert f"（{len(rules_only) - with_300}/{len(rules_only)}条" in wrong.generator  # exactly those were refused
    failing = Drafter(rewriter=scripted(RuntimeError("model down"))).run(doc)
    assert all(p.verified for _, p in failing.points()) and any("300元" in p.text for _, p in failing.points())


def test_accept_rewrite_checks_facts_in_any_form() -> None:
    source = "乡镇（街道）应当自受理之日起15个工作日内完成审核。"
    assert accept_rewrite("乡镇（街道）要在受理后15个工作日内完成审核。", "街道受理后十五个工作日内审完。", source)[0]
    ok, why = accept_rewrite("乡镇（街道）要在受理后15个工作日内完成审核。", "街道受理后20个工作日内审完。", source)
    assert not ok and "20" in why
    ok, why = accept_rewrite("乡镇（街道）要在受理后15个工作日内完成审核。", "街道会尽快完成审核。", source)
    assert not ok and "15" in why


def test_ui_page_builds_and_shows_readability(tmp_path: Path) -> None:
    import gradio as gr

    from service.drafting.service import DraftingService
    from ui.drafting import build_drafting_page, readability_markdown

    settings = Settings(data_dir=tmp_path / "data", embedder="fake:256", _env_file=None)  # type: ignore[call-arg]
    svc = DraftingService(settings)
    with gr.Blocks() as page:
        token = gr.State("")
        build_drafting_page(lambda: svc, token, lambda t: None, [BANFA.name])
    assert page.fns  # handlers are registered
    draft, _ = svc.interpret(str(BANFA))
    shown = readability_markdown(draft.readability)
    src, out = draft.readability["source"], draft.readability["draft"]
    assert f"| {src['avg_sentence_chars']} | {out['avg_sentence_chars']}" in shown
