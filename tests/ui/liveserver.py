"""A real uvicorn server on 127.0.0.1 (in a thread of the test process) serving the API and the UI."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.service.apikit import SAMPLE_CORPUS, make_settings


@dataclass
class LiveServer:
    url: str
    app: object
    data_dir: Path

    @property
    def context(self):  # noqa: ANN201
        return self.app.state.context  # type: ignore[attr-defined]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    import uvicorn

    from service.api import create_app
    from service.assistant import Assistant
    from ui.web import mount_ui

    data_dir = tmp_path_factory.mktemp("web") / "data"
    settings = make_settings(data_dir)
    assistant = Assistant(settings)
    assert all(r.ok for r in assistant.ingest([SAMPLE_CORPUS]))
    app = mount_ui(create_app(settings, assistant=assistant))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=3))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app, data_dir)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
