"""The staff console (token login): upload and see results per file, list and filter documents, view a
document's chunks, delete, change validity, export the audit log. Every handler re-checks the token, because
Gradio exposes each event as an endpoint of its own."""

from __future__ import annotations

import importlib
import secrets
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr

from retriever.types import DOC_TYPES
from service.api.context import VALIDITIES, ServiceContext, Upload
from service.api.errors import ApiError
from service.errors import PolicyAssistantError

DOC_COLUMNS = ["doc_id", "文件", "标题", "文号", "发布日期", "类型", "有效性", "版本", "分块数"]
RESULT_COLUMNS = ["文件", "结果", "标题", "类型", "分块数", "原因"]
CHUNK_COLUMNS = ["序号", "章节", "类型", "起", "止", "文本"]
# A drafting page (issue #6) plugs in here when present: module with build_tab(ctx, authorized) -> None.
OPTIONAL_TABS = [("ui.drafting", "build_tab", "政策解读起草")]


def build_staff(ctx: ServiceContext) -> None:
    token = gr.State("")
    gr.HTML('<header class="pa-header"><h1>政策解读助手 · 工作人员控制台</h1></header>', js_on_load=None)
    with gr.Column(visible=True, elem_id="pa-login") as login_box:
        entered = gr.Textbox(label="工作人员令牌（POLICY_STAFF_TOKEN）", type="password", elem_id="pa-token")
        login = gr.Button("登录", variant="primary", elem_id="pa-login-button")
        login_status = gr.Markdown(elem_id="pa-login-status")
    with gr.Column(visible=False, elem_id="pa-console") as console, gr.Tabs():
        with gr.Tab("上传文件"):
            files = gr.File(label="政策文件（.txt .md .html .docx .pdf，可多选）", file_count="multiple",
                            file_types=[".txt", ".md", ".html", ".htm", ".docx", ".pdf"], elem_id="pa-files")
            with gr.Row():
                kb = gr.Textbox(label="知识库", value=ctx.settings.kb)
                doc_type = gr.Dropdown(["", *DOC_TYPES], value="", label="文件类型（留空自动识别）")
                validity = gr.Dropdown(["", *VALIDITIES], value="", label="有效性（留空自动识别）")
            upload = gr.Button("上传并入库", variant="primary", elem_id="pa-upload")
            upload_status = gr.Markdown(elem_id="pa-upload-status")
            upload_results = gr.Dataframe(headers=RESULT_COLUMNS, label="入库结果", interactive=False,
                                          elem_id="pa-upload-results")
        with gr.Tab("文件管理"):
            with gr.Row():
                f_query = gr.Textbox(label="标题 / 文件名 / 文号")
                f_type = gr.Dropdown(["", *DOC_TYPES], value="", label="类型")
                f_validity = gr.Dropdown(["", *VALIDITIES], value="", label="有效性")
                refresh = gr.Button("查询", elem_id="pa-refresh")
            docs = gr.Dataframe(headers=DOC_COLUMNS, label="已收录文件", interactive=False, elem_id="pa-docs")
            with gr.Row():
                doc_ref = gr.Textbox(label="doc_id 或文件名", elem_id="pa-doc-ref")
                new_validity = gr.Dropdown(list(VALIDITIES), value="已废止", label="设为")
            with gr.Row():
                show_chunks = gr.Button("查看分块", elem_id="pa-show-chunks")
                set_validity = gr.Button("更新有效性", elem_id="pa-set-validity")
                confirm = gr.Checkbox(label="确认删除", value=False)
                delete = gr.Button("删除", variant="stop", elem_id="pa-delete")
            action_status = gr.Markdown(elem_id="pa-action-status")
            chunks = gr.Dataframe(headers=CHUNK_COLUMNS, label="分块", interactive=False, wrap=True)
        with gr.Tab("审计日志"):
            with gr.Row():
                d_from = gr.Textbox(label="起始日期（YYYY-MM-DD）", value=str(date.today()))
                d_to = gr.Textbox(label="截止日期（YYYY-MM-DD）", value=str(date.today()))
                export = gr.Button("导出 CSV", elem_id="pa-export")
            export_file = gr.File(label="审计日志", interactive=False)
            export_status = gr.Markdown()
        for module_name, builder, title in OPTIONAL_TABS:
            _optional_tab(ctx, module_name, builder, title, token)

    def check(value: str) -> None:
        if not value or not secrets.compare_digest(value.encode(), ctx.staff_token.encode()):
            raise gr.Error("请先用工作人员令牌登录。")

    def do_login(value: str) -> tuple[Any, ...]:
        value = (value or "").strip()
        if not value or not secrets.compare_digest(value.encode(), ctx.staff_token.encode()):
            return "", "令牌不正确。", gr.update(visible=True), gr.update(visible=False), ""
        return value.strip(), "", gr.update(visible=False), gr.update(visible=True), ""

    def do_upload(tok: str, paths: list[str] | None, kb_: str, type_: str, validity_: str) -> tuple[Any, ...]:
        check(tok)
        if not paths:
            return [], "请先选择文件。"
        uploads = [Upload(Path(p).name, Path(p).read_bytes()) for p in paths]
        overrides = {k: v for k, v in {"doc_type": type_, "validity": validity_}.items() if v}
        try:
            results = ctx.upload(uploads, kb_ or None, overrides)
        except ApiError as exc:
            return [], exc.message
        rows = [[r.source, "失败" if not r.ok else r.status, r.title, r.doc_type, r.chunks, r.reason] for r in results]
        return rows, f"{sum(r.ok for r in results)} 个文件入库，{sum(not r.ok for r in results)} 个失败。"

    def do_list(tok: str, q: str, type_: str, validity_: str) -> list[list[Any]]:
        check(tok)
        return [[d.doc_id, d.source, d.meta.title, d.meta.doc_number, d.meta.issued, d.meta.doc_type, d.meta.validity,
                 d.version, d.n_chunks] for d in ctx.documents(doc_type=type_ or "", validity=validity_ or "", q=(q or "").strip())]

    def do_chunks(tok: str, ref: str) -> tuple[Any, str]:
        check(tok)
        try:
            data = ctx.document((ref or "").strip(), with_chunks=True)
        except ApiError as exc:
            return [], exc.message
        rows = [[c["ordinal"], c["heading"], c["kind"], c["start"], c["end"], c["text"]] for c in data["chunks"]]
        return rows, f"《{data['meta']['title']}》共 {len(rows)} 个分块。"

    def do_validity(tok: str, ref: str, value: str) -> str:
        check(tok)
        try:
            record = ctx.set_validity((ref or "").strip(), value)
        except ApiError as exc:
            return exc.message
        return f"《{record.meta.title}》已标记为{record.meta.validity}。"

    def do_delete(tok: str, ref: str, sure: bool) -> tuple[str, bool]:
        check(tok)
        if not sure:
            return "请先勾选“确认删除”。", sure
        try:
            record = ctx.delete((ref or "").strip())
        except ApiError as exc:
            return exc.message, False
        return f"已删除 {record.source}。", False

    def do_export(tok: str, start: str, end: str) -> tuple[Any, str]:
        check(tok)
        try:
            text = ctx.audit.export_csv(date.fromisoformat(start.strip()), date.fromisoformat(end.strip()))
        except (ValueError, PolicyAssistantError) as exc:
            return None, f"日期有误：{exc}"
        folder = Path(tempfile.mkdtemp(prefix="audit-"))
        path = folder / f"audit_{start.strip()}_{end.strip()}.csv"
        path.write_text(text, encoding="utf-8")
        return str(path), f"共 {max(text.count(chr(10)) - 1, 0)} 条记录。"

    def pick(evt: gr.SelectData) -> str:
        row = evt.row_value or []
        return str(row[0]) if row else ""

    listing = [token, f_query, f_type, f_validity]
    login_outputs = [token, login_status, login_box, console, entered]
    hidden: dict[str, Any] = {"api_visibility": "private"}  # staff actions are not offered to API clients
    def list_after_login(tok: str, q: str, type_: str, validity_: str) -> Any:
        return do_list(tok, q, type_, validity_) if tok else gr.update()

    login.click(do_login, entered, login_outputs, **hidden).then(list_after_login, listing, docs, **hidden)
    entered.submit(do_login, entered, login_outputs, **hidden).then(list_after_login, listing, docs, **hidden)
    docs.select(pick, None, doc_ref, **hidden)
    upload.click(do_upload, [token, files, kb, doc_type, validity], [upload_results, upload_status], **hidden).then(
        do_list, listing, docs, **hidden)
    refresh.click(do_list, listing, docs, **hidden)
    show_chunks.click(do_chunks, [token, doc_ref], [chunks, action_status], **hidden)
    set_validity.click(do_validity, [token, doc_ref, new_validity], action_status, **hidden).then(
        do_list, listing, docs, **hidden)
    delete.click(do_delete, [token, doc_ref, confirm], [action_status, confirm], **hidden).then(
        do_list, listing, docs, **hidden)
    export.click(do_export, [token, d_from, d_to], [export_file, export_status], **hidden)

def _optional_tab(ctx: ServiceContext, module_name: str, builder: str, title: str, token: gr.State) -> None:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return
    build = getattr(module, builder, None)
    if callable(build):
        with gr.Tab(title):
            build(ctx, token)
