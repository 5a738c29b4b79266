"""The HTML report opened in Debian's headless chromium: the three charts decode and the failures are shown."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evals.report import write_report
from tests.evals.test_report import _summary

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def test_report_renders_in_chromium(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is missing: apt-get install chromium")
    summary, details = _summary()
    html_path, _ = write_report(summary, details, tmp_path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(html_path.as_uri())
            widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
            assert len(widths) == 3 and all(w > 300 for w in widths)
            assert page.locator("table.failures tr").count() == 2  # header + the one failed question of bm25
            assert "不知道<script>" in page.locator("table.failures").inner_text()
        finally:
            browser.close()
