"""The citizen chat page: answers stream in, `[n]` markers open their sources, feedback, large-text mode."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import gradio as gr

from service.api.context import ServiceContext
from service.api.errors import ApiError
from service.errors import PolicyAssistantError
from ui.assets import LARGE_TEXT_JS
from ui.render import AI_LABEL, Turn, passages_for, render_chat

log = logging.getLogger(__name__)

SUGGESTED_QUESTIONS = ("低保标准是多少？", "申请临时救助需要哪些材料？", "怎样提取住房公积金？", "城乡居民医保什么时候缴费？")
UNAVAILABLE = "服务暂时不可用，请稍后再试，或拨打12345政务服务便民热线咨询。"

HEADER = f"""<header class="pa-header"><h1>政策解读助手</h1>
<p class="pa-ai-banner" role="note">本服务回答由人工智能生成（{AI_LABEL}）。</p></header>"""


def client_of(request: gr.Request | None) -> str:
    return request.client.host if request is not None and request.client else "unknown"


def build_citizen(ctx: ServiceContext, suggestions: tuple[str, ...] = SUGGESTED_QUESTIONS) -> None:
    """Lay out the chat inside the current `gr.Blocks` and wire its events."""
    turns_state = gr.State([])
    conversation = gr.State("")
    gr.HTML(HEADER, js_on_load=None)
    chat = gr.HTML(render_chat([]), elem_id="pa-chat-box", js_on_load=None)
    with gr.Row(equal_height=True):
        question = gr.Textbox(label="请输入您的问题", placeholder="例如：低保标准是多少？", lines=2, scale=4,
                              max_length=ctx.settings.max_question_chars, elem_id="pa-question")
        send = gr.Button("提问", variant="primary", scale=1, elem_id="pa-send")
    with gr.Row(elem_id="pa-suggestions"):
        buttons = [gr.Button(q, size="sm", elem_classes=["pa-suggestion"]) for q in suggestions]
    with gr.Row():
        large = gr.Checkbox(label="大字模式", value=False, elem_id="pa-large-toggle")
        new_chat = gr.Button("新的对话", size="sm", elem_id="pa-new-chat")
    with gr.Group(elem_id="pa-feedback"):
        gr.Markdown("这条回答对您有帮助吗？")
        with gr.Row():
            up = gr.Button("有帮助", size="sm", elem_id="pa-up")
            down = gr.Button("没帮助", size="sm", elem_id="pa-down")
        comment = gr.Textbox(label="意见或建议（可选）", lines=1, max_length=500, elem_id="pa-comment")
        thanks = gr.Markdown(elem_id="pa-feedback-status")

    def ask(text: str, turns: list[Turn], cid: str, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        text = (text or "").strip()
        if not text:
            yield render_chat(turns), turns, cid, text
            return
        turn = Turn(question=text)
        turns = [*turns, turn]
        yield render_chat(turns), turns, cid, ""
        result = None
        try:
            ctx.rate_limit(client_of(request))
            for kind, value in ctx.ask_events(text, channel="web", conversation_id=cid or None):
                if kind == "token":
                    turn.answer += value
                    yield render_chat(turns), turns, cid, ""
                else:
                    result = value
        except ApiError as exc:
            turn.error = "提问太频繁了，请稍后再试。" if exc.status == 429 else exc.message
        except PolicyAssistantError as exc:
            turn.error = str(exc)
        except Exception:  # the citizen sees a way forward, the log keeps the cause
            log.exception("web ask failed")
            turn.error = UNAVAILABLE
        if result is None:
            turn.error = turn.error or UNAVAILABLE
            yield render_chat(turns), turns, cid, ""
            return
        # The verified answer replaces the streamed text.
        turn.answer_id = result.answer_id
        turn.answer = result.answer.answer
        turn.refused = result.answer.refused
        turn.notice = str(getattr(result.answer, "notice", "") or "")
        turn.citations = list(result.answer.citations)
        turn.passages = passages_for(turn.citations, ctx.passage)
        turn.done = True
        yield render_chat(turns), turns, result.conversation_id, ""

    def rate(score: int) -> Any:
        def handler(note: str, turns: list[Turn]) -> tuple[str, str]:
            last = next((t for t in reversed(turns) if t.answer_id), None)
            if last is None:
                return "请先提问，再评价回答。", note
            try:
                ctx.feedback(last.answer_id, score, note or "")
            except PolicyAssistantError as exc:
                return str(exc), note
            return "感谢您的反馈！", ""

        return handler

    outputs = [chat, turns_state, conversation, question]
    send.click(ask, [question, turns_state, conversation], outputs)
    question.submit(ask, [question, turns_state, conversation], outputs)
    for button, text in zip(buttons, suggestions, strict=True):
        button.click(lambda t=text: t, None, question).then(ask, [question, turns_state, conversation], outputs)
    new_chat.click(lambda: (render_chat([]), [], "", ""), None, outputs)
    up.click(rate(1), [comment, turns_state], [thanks, comment])
    down.click(rate(-1), [comment, turns_state], [thanks, comment])
    large.change(None, large, None, js=LARGE_TEXT_JS)
