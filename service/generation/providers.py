"""Generators chosen by a `provider:model` string: `openai:<model>` and `llamacpp:<path.gguf>`.

`extractive` (no model) is not a generator: `parse_spec` accepts it and `make_generator` returns None for it.
Backends are imported only when chosen, with an install hint when their extra is missing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from service.errors import ProviderError
from service.generation.base import ChatMessage

PROVIDERS = ("extractive", "openai", "llamacpp")
INSTALL_HINT = "install the language-model extra: pip install 'policy-assistant[llm]'"


def parse_spec(spec: str) -> tuple[str, str]:
    """"openai:qwen2.5-7b" -> ("openai", "qwen2.5-7b"); raises ProviderError on an unknown or incomplete spec."""
    provider, _, model = spec.strip().partition(":")
    provider = provider.strip().lower()
    if provider not in PROVIDERS:
        raise ProviderError(f"unknown generator {spec!r}: use extractive, openai:<model> or llamacpp:<path.gguf>")
    if provider != "extractive" and not model.strip():
        raise ProviderError(f"generator {spec!r} names no model: write {provider}:<model>")
    return provider, model.strip()


class ChatModelGenerator:
    """Any LangChain chat model (ChatOpenAI in production, a scripted fake in tests).

    With `per_call_max_tokens`, the token limit is sent on each call as `max_tokens` in the request body, which
    every OpenAI-compatible server reads (ChatOpenAI's own `max_completion_tokens` is ignored by llama.cpp's server
    and others, which then write until their context is full); otherwise the model's own configured limit applies.
    """

    def __init__(self, chat_model: Any, name: str, model: str = "", per_call_max_tokens: bool = False) -> None:
        self.chat_model = chat_model
        self.name = name
        self.model = model or name
        self.per_call_max_tokens = per_call_max_tokens

    def stream(self, messages: list[ChatMessage], max_tokens: int) -> Iterator[str]:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        lc_messages = [kinds[m["role"]](content=m["content"]) for m in messages]
        kwargs = {"extra_body": {"max_tokens": max_tokens}} if self.per_call_max_tokens else {}
        for chunk in self.chat_model.stream(lc_messages, **kwargs):
            content = chunk.content
            if isinstance(content, list):  # content blocks
                content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
            if content:
                yield content


def openai_generator(
    model: str, *, base_url: str | None, api_key: str | None, timeout: float, max_tokens: int, temperature: float
) -> ChatModelGenerator:
    """ChatOpenAI against any OpenAI-compatible endpoint; retries are ours (`call_model`), so the SDK's are off."""
    if not api_key and not base_url:
        raise ProviderError(
            "the openai generator needs OPENAI_API_KEY (hosted service) or OPENAI_BASE_URL (a local server such as "
            "vLLM, Ollama or llama.cpp: http://127.0.0.1:8000/v1)"
        )
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise ProviderError(f"the openai generator needs langchain-openai: {INSTALL_HINT}") from exc
    chat = ChatOpenAI(
        model=model, base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=0,
        temperature=temperature, extra_body={"max_tokens": max_tokens},
    )
    return ChatModelGenerator(chat, f"openai:{model}", model, per_call_max_tokens=True)


# The chat format of a model family, for a .gguf file that carries no chat template of its own.
FAMILY_CHAT_FORMATS = {"gemma": "gemma", "gemma2": "gemma", "gemma3": "gemma", "qwen2": "chatml", "qwen3": "chatml"}


class LlamaCppGenerator:
    """A GGUF model run in-process by llama-cpp-python; loaded on first use, one generation at a time.

    The chat format is the file's own template, else its family's (`FAMILY_CHAT_FORMATS`), else llama-cpp's default.
    """

    def __init__(self, path: Path | str, n_ctx: int = 4096, temperature: float = 0.0, n_threads: int | None = None):
        self.path = Path(path)
        if self.path.suffix.lower() != ".gguf":
            raise ProviderError(f"llamacpp:{path} is not a .gguf file: write llamacpp:<path to a .gguf model>")
        self.name = f"llamacpp:{self.path}"
        self.model = self.path.name
        self.n_ctx = n_ctx
        self.temperature = temperature
        self.n_threads = n_threads
        self._llama: Any = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the model; raises ProviderError when the file or llama-cpp-python is missing."""
        if self._llama is not None:
            return
        if not self.path.is_file():
            raise ProviderError(f"no model file at {self.path}: download a .gguf model and point llamacpp: at it")
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ProviderError(f"the llamacpp generator needs llama-cpp-python: {INSTALL_HINT}") from exc
        llama = Llama(model_path=str(self.path), n_ctx=self.n_ctx, n_threads=self.n_threads, verbose=False)
        family = FAMILY_CHAT_FORMATS.get(llama.metadata.get("general.architecture", ""))
        if "tokenizer.chat_template" not in llama.metadata and family:
            llama.chat_format = family  # read on every call; the default would be llama-2's
        self._llama = llama

    def stream(self, messages: list[ChatMessage], max_tokens: int) -> Iterator[str]:
        with self._lock:
            self.warm_up()
            chunks = self._llama.create_chat_completion(
                messages=list(messages), max_tokens=max_tokens, temperature=self.temperature, stream=True
            )
            for chunk in chunks:
                piece = chunk["choices"][0].get("delta", {}).get("content")
                if piece:
                    yield piece


def make_generator(
    spec: str, *, base_url: str | None = None, api_key: str | None = None, timeout: float = 60.0,
    max_tokens: int = 512, temperature: float = 0.0,
) -> ChatModelGenerator | LlamaCppGenerator | None:
    """The generator for `spec`, or None for `extractive`. Raises ProviderError with what to install or set."""
    provider, model = parse_spec(spec)
    if provider == "openai":
        return openai_generator(
            model, base_url=base_url, api_key=api_key, timeout=timeout, max_tokens=max_tokens, temperature=temperature
        )
    if provider == "llamacpp":
        return LlamaCppGenerator(model, temperature=temperature)
    return None
