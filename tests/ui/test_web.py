"""The API with the UI mounted: `/` redirects to the chat, both pages load, the API keeps working beside them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.service import apikit
from tests.service.apikit import DIBAO_QUESTION

corpus_assistant = apikit.corpus_assistant  # fixtures


@pytest.fixture(scope="module")
def web(corpus_assistant) -> Iterator[TestClient]:  # noqa: ANN001
    from service.api import create_app
    from ui.web import mount_ui

    app = mount_ui(create_app(corpus_assistant.settings, assistant=corpus_assistant))
    with TestClient(app) as client:
        yield client


def test_root_redirects_to_the_chat(web: TestClient) -> None:
    r = web.get("/", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/ui/"


def test_chat_and_staff_pages_load(web: TestClient) -> None:
    chat = web.get("/ui/")
    assert chat.status_code == 200 and "政策解读助手" in chat.text
    assert "pa-cite" in chat.text  # the citation script is in the page head
    staff = web.get("/ui/staff")
    assert staff.status_code == 200


def test_no_remote_fonts_or_scripts_in_the_page(web: TestClient) -> None:
    page = web.get("/ui/").text
    assert "fonts.googleapis.com" not in page and "cdn.jsdelivr" not in page
    config = web.get("/ui/config").json()
    stylesheets = config.get("stylesheets", [])
    assert not [s for s in stylesheets if s.startswith("http") and "127.0.0.1" not in s and "testserver" not in s]


def test_staff_events_are_not_offered_to_api_clients(web: TestClient) -> None:
    info = web.get("/ui/gradio_api/info").json()
    names = set(info.get("named_endpoints", {})) | set(info.get("unnamed_endpoints", {}))
    assert not [n for n in names if any(k in n for k in ("do_list", "do_upload", "do_delete", "do_export"))]


def test_api_still_answers_beside_the_ui(web: TestClient) -> None:
    r = web.post("/v1/ask", json={"question": DIBAO_QUESTION})
    assert r.status_code == 200 and r.json()["citations"]


def test_citizens_are_not_queued_behind_each_other(web: TestClient) -> None:
    (mount,) = [r for r in web.app.routes if getattr(r, "path", "") == "/ui"]
    assert mount.app.blocks._queue.default_concurrency_limit >= 4  # gradio's default (1) would serialise every chat
