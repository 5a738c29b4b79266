"""`policy-assistant serve`: import hygiene, configuration checks, and settings handed to worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.api.errors import ConfigurationError
from service.api.server import check_workers, settings_to_env
from service.cli import app as cli_app
from tests.service.apikit import STAFF_TOKEN, make_settings

REPO = Path(__file__).resolve().parents[2]


def test_importing_the_api_does_not_import_gradio_or_torch() -> None:
    code = (
        "import sys, service, service.api, service.api.server, service.audit, service.redact, service.cli\n"
        "from service.api import create_app\n"
        "bad = sorted(m for m in ('gradio', 'torch', 'ui', 'sentence_transformers') if m in sys.modules)\n"
        "print(','.join(bad) or 'clean')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "clean"


def test_workers_need_a_chroma_server(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="Chroma server"):
        check_workers(make_settings(tmp_path), 2)
    check_workers(make_settings(tmp_path), 1)
    check_workers(make_settings(tmp_path, chroma_url="http://127.0.0.1:8001"), 4)


def test_settings_survive_the_trip_through_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.settings import Settings

    original = make_settings(tmp_path / "data", chroma_url="http://127.0.0.1:8001", rate_limit_per_minute=12,
                             dev_mode=True, max_upload_mb=3.5)
    env = settings_to_env(original)
    assert env["POLICY_STAFF_TOKEN"] == STAFF_TOKEN and env["POLICY_DEV_MODE"] == "true"
    for key in [k for k in os.environ if k.startswith("POLICY_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    rebuilt = Settings(_env_file=None)  # type: ignore[call-arg]
    assert rebuilt.model_dump() == original.model_dump()


def test_serve_refuses_a_placeholder_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_STAFF_TOKEN", "changeme")
    monkeypatch.setenv("POLICY_EMBEDDER", "fake:64")
    result = CliRunner().invoke(cli_app, ["--data-dir", str(tmp_path), "serve", "--port", "1"])
    assert result.exit_code != 0
    assert isinstance(result.exception, ConfigurationError)
    assert "POLICY_STAFF_TOKEN" in str(result.exception) and "--dev" in str(result.exception)


def test_serve_refuses_workers_with_embedded_chroma(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_STAFF_TOKEN", STAFF_TOKEN)
    monkeypatch.delenv("POLICY_CHROMA_URL", raising=False)
    result = CliRunner().invoke(cli_app, ["--data-dir", str(tmp_path), "serve", "--workers", "2"])
    assert isinstance(result.exception, ConfigurationError)
    assert "chroma run" in str(result.exception)
