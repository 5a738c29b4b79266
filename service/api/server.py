"""Run the web service with uvicorn: one process by default, several workers when the index is a Chroma server."""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from service.api.app import create_app
from service.api.auth import is_placeholder, resolve_staff_token
from service.api.errors import ConfigurationError
from service.settings import Settings

API_FACTORY = "service.api.app:create_app_from_env"
# The UI sits above service; `serve` names it only as a string and imports it lazily.
WEB_FACTORY = "ui.web:create_web_app"


def check_workers(settings: Settings, workers: int) -> None:
    """Raises ConfigurationError when several workers would share an embedded Chroma (not process-safe)."""
    if workers > 1 and not settings.chroma_url:
        raise ConfigurationError(
            f"--workers {workers} needs a Chroma server: an embedded Chroma is not safe for several processes."
            " Start one (chroma run --path DATA/chroma-server --host 127.0.0.1 --port 8001) and set"
            " POLICY_CHROMA_URL=http://127.0.0.1:8001, or run one worker"
        )


def settings_to_env(settings: Settings) -> dict[str, str]:
    """POLICY_* variables reproducing `settings` in a worker process."""
    env = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, str | int | float | Path):
            text = str(value)
        else:
            text = json.dumps(value, ensure_ascii=False, default=str)
        env[f"POLICY_{name.upper()}"] = text
    return env


def _load(factory: str) -> Any:
    module, _, attr = factory.partition(":")
    return getattr(importlib.import_module(module), attr)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, dev: bool = False, workers: int = 1,
          with_ui: bool = True, log_level: str = "info") -> None:
    """Start uvicorn. Raises ConfigurationError (placeholder token outside dev mode, workers without Chroma)."""
    import uvicorn

    settings = settings.model_copy(update={"dev_mode": settings.dev_mode or dev})
    check_workers(settings, workers)
    given = settings.staff_token.get_secret_value() if settings.staff_token else None
    token = resolve_staff_token(settings)
    settings = settings.model_copy(update={"staff_token": SecretStr(token)})
    if is_placeholder(given):
        print(f"开发模式 dev mode: staff token for this run: {token}", file=sys.stderr)
    print(f"政策解读助手: http://{host}:{port}/ui/  (API docs: http://{host}:{port}/docs)", file=sys.stderr)
    factory = WEB_FACTORY if with_ui else API_FACTORY
    if workers == 1:
        app = _load(WEB_FACTORY)(settings) if with_ui else create_app(settings)
        uvicorn.run(app, host=host, port=port, log_level=log_level)
        return
    # Workers are fresh processes: they rebuild the same settings from the environment.
    os.environ.update(settings_to_env(settings))
    uvicorn.run(factory, factory=True, host=host, port=port, workers=workers, log_level=log_level)
