"""The staff console's drafting page: draft a 政策解读, edit it, approve, publish, compare versions, export.

`build_tab(ctx, token)` is what `ui.staff` mounts inside its gr.Blocks; `build_drafting_page` is the page itself
on any `DraftingService`, for other hosts. Every handler re-checks the staff token (each Gradio event is an
endpoint of its own).
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import gradio as gr

from service.drafting.service import DraftingService
from service.errors import PolicyAssistantError

DRAFT_COLUMNS = ["编号", "状态", "版本", "文件", "标题", "更新时间"]


def build_tab(ctx: Any, token: gr.State) -> None:
    """The page on the staff console's context (settings, assistant, db, staff token, index write lock)."""
    service = DraftingService(ctx.settings, ctx.assistant, ctx.db)

    def check(value: str) -> None:
        if not value or not secrets.compare_digest(value.encode(), ctx.staff_token.encode()):
            raise gr.Error("请先用工作人员令牌登录。")

    documents = [d.source for d in ctx.assistant.documents() if d.meta.doc_type != "政策解读"]
    build_drafting_page(lambda: service, token, check, documents, ctx.writer.hold)


def readability_markdown(readability: dict[str, Any]) -> str:
    """Source vs draft, the targets, and the jargon left with suggestions."""
    if not readability:
        return ""
    src, out, targets = readability["source"], readability["draft"], readability["targets"]
    lines = [
        "| | 原文 | 解读稿 | 目标 |", "|---|---|---|---|",
        f"| 平均句长（字） | {src['avg_sentence_chars']} | {out['avg_sentence_chars']} "
        f"| ≤ {targets['max_avg_sentence_chars']:g} |",
        f"| 超过{targets['long_sentence_chars']}字的长句 | {src['long_share']:.0%} | {out['long_share']:.0%} "
        f"| ≤ {targets['max_long_share']:.0%} |",
        f"| 公文术语（处） | {sum(j['count'] for j in src['jargon'])} | {sum(j['count'] for j in out['jargon'])} "
        f"| ≤ {targets['max_jargon']} |",
    ]
    lines += ["", *(f"- 术语“{j['term']}”出现{j['count']}次：{j['suggestion']}" for j in out["jargon"])]
    lines += [f"- ⚠ {f}" for f in out["failures"]] or ["- 已达到全部可读性目标。"]
    return "\n".join(lines)


def build_drafting_page(
    get_service: Callable[[], DraftingService], token: gr.State, check: Callable[[str], None],
    documents: list[str] | None = None, write_lock: Callable[[], AbstractContextManager[Any]] | None = None,
) -> None:
    """The components and handlers, inside the caller's gr.Blocks (or gr.Tab)."""
    lock = write_lock or nullcontext
    with gr.Row():
        doc = gr.Dropdown(documents or [], label="政策文件（已收录）", allow_custom_value=True, elem_id="pa-interp-doc")
        author = gr.Textbox(label="起草人", value="", elem_id="pa-interp-author")
        start = gr.Button("起草解读稿", variant="primary", elem_id="pa-interp-start")
    with gr.Row():
        draft_id = gr.Number(label="稿件编号", precision=0, elem_id="pa-interp-id")
        open_draft = gr.Button("打开稿件", elem_id="pa-interp-open")
        status = gr.Markdown(elem_id="pa-interp-status")
    with gr.Tabs():
        with gr.Tab("预览"):
            preview = gr.Markdown(elem_id="pa-interp-preview")
        with gr.Tab("编辑（Markdown，脚注里的〔文件:起-止〕不要改）"):
            editor = gr.Textbox(lines=24, show_label=False, elem_id="pa-interp-editor")
        with gr.Tab("可读性"):
            readability = gr.Markdown(elem_id="pa-interp-readability")
        with gr.Tab("版本对比"):
            diff = gr.Code(language=None, label="与上一版的差异", elem_id="pa-interp-diff")
    with gr.Row():
        reviewer = gr.Textbox(label="审核人 / 发布人")
        note = gr.Textbox(label="修改说明")
    with gr.Row():
        save = gr.Button("保存修改（新版本）", elem_id="pa-interp-save")
        approve = gr.Button("审核通过", elem_id="pa-interp-approve")
        publish = gr.Button("发布", variant="primary", elem_id="pa-interp-publish")
        export_md = gr.Button("导出 Markdown")
        export_docx = gr.Button("导出 Word")
    exported = gr.File(label="导出文件", interactive=False)
    drafts = gr.Dataframe(headers=DRAFT_COLUMNS, label="全部稿件", interactive=False, elem_id="pa-interp-drafts")

    def current(svc: DraftingService, n: int, message: str) -> tuple[Any, ...]:
        shown = svc.show(n)
        record = shown["draft"]
        head = f"**{record['status']}** · 第{shown['version']}版 · {record['title']}"
        changes = svc.store.diff(n) if shown["version"] > 1 else ""
        return (n, f"{head}\n\n{message}", shown["markdown"], shown["markdown"],
                readability_markdown(shown["content"]["readability"]), changes, listing(svc))

    def listing(svc: DraftingService) -> list[list[Any]]:
        return [[r.id, r.status, r.version, r.doc, r.title, r.updated_at] for r in svc.store.list()]

    def run(action: Callable[[DraftingService], tuple[int, str]]) -> tuple[Any, ...]:
        svc = get_service()
        try:
            n, message = action(svc)
        except PolicyAssistantError as exc:
            raise gr.Error(str(exc)) from exc
        return current(svc, n, message)

    def do_start(tok: str, ref: str, who: str) -> tuple[Any, ...]:
        check(tok)
        if not ref:
            raise gr.Error("请选择要解读的政策文件。")

        def act(svc: DraftingService) -> tuple[int, str]:
            draft, record = svc.interpret(ref, save=True, author=who or "工作人员", files=False)
            assert record is not None
            return record.id, f"已起草：{sum(len(s.points) for s in draft.sections)}个要点，用时{draft.seconds:.1f}秒。"
        return run(act)

    def do_save(tok: str, n: float, text: str, who: str, why: str) -> tuple[Any, ...]:
        check(tok)
        return run(lambda svc: (svc.revise(int(n), text, who or "工作人员", why).id, "修改已保存为新版本。"))

    def do_approve(tok: str, n: float, text: str, who: str, why: str) -> tuple[Any, ...]:
        check(tok)
        if not who:
            raise gr.Error("请填写审核人。")

        def act(svc: DraftingService) -> tuple[int, str]:
            edited = text if text.strip() != svc.store.version(int(n)).markdown.strip() else None
            return svc.review(int(n), who, edited, why).id, "审核通过。" + ("审核修改已另存为新版本。" if edited else "")
        return run(act)

    def do_publish(tok: str, n: float, who: str) -> tuple[Any, ...]:
        check(tok)
        if not who:
            raise gr.Error("请填写发布人。")

        def act(svc: DraftingService) -> tuple[int, str]:
            with lock():
                record = svc.publish(int(n), who)
            return record.id, f"已发布并收录为政策解读（{record.published_source}），常见问答已用于群众问答。"
        return run(act)

    def do_export(fmt: str) -> Callable[[str, float], str]:
        def export(tok: str, n: float) -> str:
            check(tok)
            try:
                data = get_service().export(int(n), fmt)
            except PolicyAssistantError as exc:
                raise gr.Error(str(exc)) from exc
            path = Path(tempfile.mkdtemp(prefix="interp-")) / f"政策解读_{int(n)}.{fmt}"
            path.write_bytes(data)
            return str(path)
        return export

    def do_open(tok: str, n: float | None) -> tuple[Any, ...]:
        check(tok)
        if not n:
            raise gr.Error("请填写稿件编号。")
        return run(lambda svc: (int(n), ""))

    outputs = [draft_id, status, preview, editor, readability, diff, drafts]
    open_draft.click(do_open, [token, draft_id], outputs)
    start.click(do_start, [token, doc, author], outputs)
    save.click(do_save, [token, draft_id, editor, reviewer, note], outputs)
    approve.click(do_approve, [token, draft_id, editor, reviewer, note], outputs)
    publish.click(do_publish, [token, draft_id, reviewer], outputs)
    export_md.click(do_export("md"), [token, draft_id], exported)
    export_docx.click(do_export("docx"), [token, draft_id], exported)
