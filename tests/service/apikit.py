"""Fixtures for the web-service tests: one indexed sample corpus per module (fake embedder), apps around it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

SAMPLE_CORPUS = Path(__file__).resolve().parents[2] / "examples" / "corpus"
STAFF_TOKEN = "test-staff-token-0123456789"
AUTH = {"Authorization": f"Bearer {STAFF_TOKEN}"}
DIBAO_QUESTION = "咱们临江区现在的低保标准是多少？一个人一个月多少钱？"


def make_settings(data_dir: Path, **overrides: Any):  # noqa: ANN201
    from service.settings import Settings

    values: dict[str, Any] = {"data_dir": data_dir, "embedder": "fake:256", "staff_token": STAFF_TOKEN,
                              "rate_limit_per_minute": 0}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def corpus_assistant(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """An assistant over the sample corpus, built once per module (fake embedder: no model download)."""
    from service.assistant import Assistant

    settings = make_settings(tmp_path_factory.mktemp("api") / "data")
    assistant = Assistant(settings)
    results = assistant.ingest([SAMPLE_CORPUS])
    assert all(r.ok for r in results), [r.reason for r in results if not r.ok]
    return assistant


@pytest.fixture(scope="module")
def app(corpus_assistant):  # noqa: ANN001, ANN201
    from service.api import create_app

    return create_app(corpus_assistant.settings, assistant=corpus_assistant)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def sse_events(text: str) -> list[tuple[str, Any]]:
    """(event name, parsed data) for each Server-Sent Event in `text`; data that is not JSON stays a string."""
    events = []
    for block in text.strip().split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event: "):
                name = line[len("event: "):]
            elif line.startswith("data: "):
                data.append(line[len("data: "):])
        payload = "\n".join(data)
        try:
            events.append((name, json.loads(payload)))
        except json.JSONDecodeError:
            events.append((name, payload))
    return events
