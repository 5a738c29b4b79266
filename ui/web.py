"""The whole web service: the HTTP API of `service.api` with the Gradio UI mounted at /ui (`/` redirects there).

`create_web_app` is also the factory uvicorn's worker processes call (`ui.web:create_web_app`, settings from
POLICY_* variables).
"""

from __future__ import annotations

import os
import warnings

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402 - the environment must be set before gradio is imported
from fastapi import FastAPI  # noqa: E402
from fastapi.responses import RedirectResponse  # noqa: E402

from service.api import create_app  # noqa: E402
from service.api.context import ServiceContext  # noqa: E402
from service.settings import Settings, load_settings  # noqa: E402
from ui.assets import CSS, HEAD  # noqa: E402
from ui.citizen import build_citizen  # noqa: E402
from ui.staff import build_staff  # noqa: E402

# System fonts only: the default theme would fetch Google Fonts, which an offline government network blocks.
FONTS = ["system-ui", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "sans-serif"]
MONO = ["ui-monospace", "Consolas", "monospace"]
QUEUE_CONCURRENCY = 8


def build_blocks(ctx: ServiceContext) -> gr.Blocks:
    """The citizen chat at the root page and the staff console at /staff (not linked from the chat)."""
    with gr.Blocks(title="政策解读助手", analytics_enabled=False) as blocks:
        build_citizen(ctx)
    with blocks.route("工作人员控制台", "/staff", show_in_navbar=False):
        build_staff(ctx)
    # Gradio runs one event at a time by default: that would queue every citizen behind the current question.
    blocks.queue(default_concurrency_limit=QUEUE_CONCURRENCY)
    return blocks


def mount_ui(app: FastAPI, path: str = "/ui") -> FastAPI:
    """Mount the UI on an app made by `service.api.create_app`; `/` then redirects to it."""
    ctx: ServiceContext = app.state.context
    theme = gr.themes.Default(font=FONTS, font_mono=MONO)

    @app.get("/", include_in_schema=False)
    def _root() -> RedirectResponse:
        return RedirectResponse(url=f"{path}/", status_code=307)

    with warnings.catch_warnings():
        # Gradio warns that SSR is off for multi-page apps; it is off on purpose (it would need Node.js).
        warnings.filterwarnings("ignore", message="SSR mode is not supported", category=UserWarning)
        return gr.mount_gradio_app(
            app, build_blocks(ctx), path=path, css=CSS, head=HEAD, theme=theme, ssr_mode=False, footer_links=[],
            max_file_size=int(ctx.max_upload_bytes), show_error=False,
        )


def create_web_app(settings: Settings | None = None) -> FastAPI:
    return mount_ui(create_app(settings or load_settings()))
