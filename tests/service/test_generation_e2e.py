"""End to end against a real OpenAI-compatible server: llama.cpp's, with Gemma 3 270M, on 127.0.0.1.

That tiny base model writes poor answers; what is checked is the wire path, streaming, and that verification never
lets an unsupported number through (whatever the model writes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.assistant import Assistant
from service.generation.conversation import ModelRewriter, Turn
from service.generation.grounded import NOTICE_UNVERIFIED
from service.generation.llama_server import llama_server
from service.generation.providers import make_generator
from service.generation.verify import split_sentences, strip_markers
from service.settings import Settings
from tests.conftest import SAMPLE_CORPUS

pytestmark = pytest.mark.slow
MODEL = "gemma3-270m"
QUESTIONS = [
    "临江区最低生活保障审核确认办法规定的低保标准是多少？",
    "申请低保以后，乡镇（街道）多少个工作日内完成审核？",
    "临江区2025年城乡居民医保个人缴费标准是多少元？",
]


@pytest.fixture(scope="module")
def server(gemma_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`python -m llama_cpp.server` on a free loopback port, stopped after the module; its /v1 URL and log."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    with llama_server(gemma_gguf, log, alias=MODEL, chat_format="gemma") as url:  # the file has no chat template
        yield url, log


@pytest.fixture(scope="module")
def assistant(server: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    settings = Settings(  # type: ignore[call-arg]
        data_dir=tmp_path_factory.mktemp("e2e") / "data", embedder="fake:256", generator=f"openai:{MODEL}",
        openai_base_url=server[0], llm_timeout=300, llm_max_tokens=48, llm_retries=0, llm_source_chars=1500, top_k=3,
        _env_file=None,
    )  # a small prompt and a short reply: the model runs on the CI machine's CPU
    assistant = Assistant(settings)
    assert all(r.ok for r in assistant.ingest([SAMPLE_CORPUS]))
    return assistant


def _requests(log: Path) -> int:
    return log.read_text(errors="replace").count("POST /v1/chat/completions")


def _numbers(text: str) -> set[str]:
    return {n.lstrip("0") or "0" for n in re.findall(r"\d+(?:\.\d+)?", strip_markers(text))}


def test_answers_stream_over_the_wire_and_no_unsupported_number_survives(
    assistant: Assistant, server: tuple[str, Path]
) -> None:
    raw_unsupported = 0
    for question in QUESTIONS:
        hits = assistant.search(question)
        assert not assistant.answerer.run(question, hits).refused, "the evidence gate must let the model be asked"
        before = _requests(server[1])
        events = list(assistant.ask_stream(question))
        assert _requests(server[1]) == before + 1  # the model was called through the OpenAI-compatible API
        tokens = [e["text"] for e in events if e["type"] == "token"]
        assert len(tokens) >= 2 and events[-1]["type"] == "answer"  # streamed piece by piece, then one answer
        final = events[-1]["answer"]
        by_n = {c["n"]: c for c in final["citations"]}
        if final["generator"] == f"openai:{MODEL}":
            assert final["prompt_version"] == "answer.v1" and final["model"] == MODEL
        else:
            assert final["notice"] == NOTICE_UNVERIFIED and final["generator"] == "extractive"
        # Independently of the verifier: each number of each answer sentence is in the document its citation names.
        texts = {h.document.source: assistant.index.registry.document_text(h.document.doc_id) for h in assistant.search(
            question)}
        for sentence in final["sentences"]:
            assert sentence["verified"] and sentence["citations"]
            cited = "".join(texts.get(by_n[n]["doc"], "") + by_n[n]["title"] + by_n[n]["issued"]
                            for n in sentence["citations"])
            assert _numbers(sentence["text"]) <= _numbers(cited) | {"0"}, sentence
        # What the raw model wrote, for the record: numbers that appear in no retrieved document.
        every = "".join(texts.values())
        raw_unsupported += sum(len(_numbers(s) - _numbers(every)) for s in split_sentences("".join(tokens)))
    print(f"unsupported numbers written by the raw model: {raw_unsupported}; in verified answers: 0")


def test_a_follow_up_is_rewritten_by_the_model(assistant: Assistant, server: tuple[str, Path]) -> None:
    assert isinstance(assistant.rewriter, ModelRewriter)
    history = [Turn(QUESTIONS[0], QUESTIONS[0], "现行低保标准为每人每月1050元。")]
    before = _requests(server[1])
    rewritten = assistant.rewriter.rewrite("那审核要多久？", history)
    assert _requests(server[1]) == before + 1  # the rewrite went to the model
    assert rewritten.strip() and len(rewritten) <= 300  # whatever the tiny model wrote, or the carried-over context


def test_the_llamacpp_generator_runs_the_model_in_process(gemma_gguf: Path) -> None:
    gen = make_generator(f"llamacpp:{gemma_gguf}")
    assert gen is not None and gen.model == gemma_gguf.name
    pieces = list(gen.stream([{"role": "user", "content": "临江区在哪里？"}], max_tokens=8))
    assert pieces and all(isinstance(p, str) for p in pieces)
