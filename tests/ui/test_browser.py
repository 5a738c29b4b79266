"""Debian's chromium, headless, driven by Playwright: the citizen chat and the staff console end to end.

Screenshots go to $POLICY_TEST_ARTIFACTS (default test-artifacts/) under browser/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.apikit import DIBAO_QUESTION, STAFF_TOKEN
from tests.ui import liveserver
from tests.ui.liveserver import LiveServer

live_server = liveserver.live_server  # fixtures

# Gradio's own pandas deprecation warnings (raised inside its queue) are not ours to fix.
pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings(r"ignore::Warning:gradio\..*")]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("POLICY_TEST_ARTIFACTS", REPO / "test-artifacts")) / "browser"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is missing: `make test` installs it (.ci/install-browser), or apt-get install chromium")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _page(browser, live_server: LiveServer, **options):  # noqa: ANN001, ANN202
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(60_000)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((live_server.url, "data:", "blob:"))
            else None)
    return page, outside


def _ask(page, question: str, turn: int) -> None:  # noqa: ANN001
    page.locator("#pa-question textarea").fill(question)
    page.locator("#pa-send").click()
    page.locator(f"#pa-turn-{turn} .pa-label, #pa-turn-{turn} .pa-error").first.wait_for()


def _open_first_citation(page, turn: int) -> tuple[str, str]:  # noqa: ANN001
    link = page.locator(f"#pa-turn-{turn} a.pa-cite").first
    target = link.get_attribute("data-target")
    link.click()
    source = page.locator(f"#{target}")
    assert source.get_attribute("open") is not None
    mark = source.locator("mark.pa-quote")
    mark.wait_for(state="visible")
    return target, mark.inner_text()


def _expected_quote(live_server: LiveServer, question: str) -> str:
    import httpx

    body = httpx.post(f"{live_server.url}/v1/ask", json={"question": question}, timeout=60).json()
    return body["citations"][0]["quote"]


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_citizen_chat_desktop(browser, live_server: LiveServer) -> None:  # noqa: ANN001
    page, outside = _page(browser, live_server, viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    assert page.url.rstrip("/").endswith("/ui")
    banner = page.locator(".pa-ai-banner")
    banner.wait_for(state="visible")
    assert "AI生成，仅供参考，以原文为准" in banner.inner_text()
    _ask(page, DIBAO_QUESTION, 0)
    answer = page.locator("#pa-turn-0 .pa-answer-text")
    assert answer.is_visible() and page.locator("#pa-turn-0 .pa-label").is_visible()
    target, quote = _open_first_citation(page, 0)
    assert target == "pa-src-0-1"
    assert _norm(quote) == _norm(_expected_quote(live_server, DIBAO_QUESTION))
    assert page.locator(f"#{target} .pa-src-title").inner_text().startswith("《")
    page.screenshot(path=str(ARTIFACTS / "citizen_chat_desktop.png"), full_page=True)

    # Feedback is stored against this answer.
    answer_id = page.locator("#pa-turn-0").get_attribute("data-answer-id")
    page.locator("#pa-comment textarea").fill("很清楚，我的电话13812345678")
    page.locator("#pa-up").click()
    page.get_by_text("感谢您的反馈").wait_for()
    row = live_server.context.audit.get(answer_id)
    assert row["channel"] == "web" and [(f["rating"], f["comment"]) for f in row["feedback"]] == [
        (1, "很清楚，我的电话[手机号]")]

    # A follow-up stays in the conversation.
    _ask(page, "那乡镇多长时间能审核完？", 1)
    assert page.locator(".pa-turn").count() == 2
    second = live_server.context.audit.get(page.locator("#pa-turn-1").get_attribute("data-answer-id"))
    assert second["conversation_id"] == row["conversation_id"] and second["conversation_id"]

    page.locator("#pa-large-toggle input").check()
    page.wait_for_function("document.body.classList.contains('pa-large')")
    assert outside == [], f"the page reached outside the server: {outside[:5]}"


def test_hostile_question_is_rendered_inert(browser, live_server: LiveServer) -> None:  # noqa: ANN001
    page, _ = _page(browser, live_server, viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/ui/")
    _ask(page, '<img src=x onerror="window.__pwned=1">![](http://evil.example/x.png)低保标准', 0)
    assert page.locator(".pa-chat img").count() == 0
    assert page.evaluate("window.__pwned === undefined")
    assert "<img src=x" in page.locator("#pa-turn-0 .pa-q").inner_text()


def test_citizen_chat_phone_width(browser, live_server: LiveServer) -> None:  # noqa: ANN001
    page, outside = _page(browser, live_server, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page.goto(live_server.url + "/ui/")
    _ask(page, DIBAO_QUESTION, 0)
    _, quote = _open_first_citation(page, 0)
    assert _norm(quote) == _norm(_expected_quote(live_server, DIBAO_QUESTION))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1  # no sideways scrolling
    page.screenshot(path=str(ARTIFACTS / "citizen_chat_phone.png"), full_page=True)
    assert outside == []


def test_staff_console(browser, live_server: LiveServer, tmp_path: Path) -> None:  # noqa: ANN001
    page, _ = _page(browser, live_server, viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/ui/staff")
    page.locator("#pa-token input").fill("wrong-token-0000000000")
    page.locator("#pa-login-button").click()
    page.get_by_text("令牌不正确").first.wait_for()
    assert not page.locator("#pa-console").is_visible()
    page.locator("#pa-token input").fill(STAFF_TOKEN)
    page.locator("#pa-login-button").click()
    page.locator("#pa-console").wait_for(state="visible")

    page.get_by_role("tab", name="文件管理").click()
    page.locator("#pa-docs").get_by_text("linjiang_dibao_banfa_2024.txt").wait_for()
    page.screenshot(path=str(ARTIFACTS / "staff_console_documents.png"), full_page=True)

    upload = tmp_path / "犬只登记办法.txt"
    upload.write_text("青禾市临江区犬只登记管理办法\n\n第一条 犬只登记费为每只每年30元。\n", encoding="utf-8")
    page.get_by_role("tab", name="上传文件").click()
    page.locator("#pa-files input[type=file]").set_input_files(str(upload))
    page.locator("#pa-upload").click()
    page.get_by_test_id("cell-0-1").get_by_text("added").wait_for()
    page.get_by_text("1 个文件入库，0 个失败").wait_for()
    page.screenshot(path=str(ARTIFACTS / "staff_console_upload.png"), full_page=True)
    assert [d.source for d in live_server.context.documents(q="犬只")] == ["犬只登记办法.txt"]

    page.get_by_role("tab", name="文件管理").click()
    page.locator("#pa-doc-ref").locator("textarea, input").first.fill("犬只登记办法.txt")
    page.locator("#pa-set-validity").click()
    page.locator("#pa-action-status").get_by_text("已标记为已废止").wait_for()
    assert live_server.context.documents(q="犬只")[0].meta.validity == "已废止"
