"""A local OpenAI-compatible server for a .gguf model (`python -m llama_cpp.server`), for tests and benchmarks.

    with llama_server(Path("model.gguf"), log=Path("server.log")) as base_url:
        settings = Settings(generator="openai:local", openai_base_url=base_url)
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def llama_server(
    gguf: Path, log: Path, *, alias: str = "local", n_ctx: int = 4096, n_threads: int = 1,
    chat_format: str | None = None, ready_within: float = 180,
) -> Iterator[str]:
    """Start llama.cpp's server on a free loopback port and yield its `/v1` URL; stopped on exit.

    Raises RuntimeError (with the end of the server's log) when it exits or does not answer within `ready_within`
    seconds; `pip install 'policy-assistant[llm]'` provides it. One thread by default: on a CPU shared with other
    work, llama.cpp's threads spin-wait for each other and two were measured 15 times slower than one.
    """
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", alias,
               "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx), "--n_threads", str(n_threads)]
    if chat_format:  # for a model whose file carries no chat template (Gemma 3 270M: "gemma")
        command += ["--chat_format", chat_format]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + ready_within
        while not _answers(f"{url}/models"):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"llama_cpp.server did not start (exit code {proc.poll()}):\n{tail}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False
