"""The assistant with generation wired in: ask() as before, conversations, ask_stream(), the CLI options."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from service.assistant import Assistant
from service.errors import ProviderError, UserInputError
from service.generation.grounded import GroundedAnswerer
from service.generation.prompting import build_sources
from service.generation.providers import ChatModelGenerator, LlamaCppGenerator, make_generator, parse_spec
from service.generation.verify import CitationVerifier
from service.settings import Settings
from tests.conftest import SAMPLE_CORPUS
from tests.service.generation_helpers import scripted


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("generation") / "data"
    return Settings(data_dir=data, embedder="fake:256", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def assistant(settings: Settings) -> Assistant:
    assistant = Assistant(settings)
    assert all(r.ok for r in assistant.ingest([SAMPLE_CORPUS]))
    return assistant


def with_model(assistant: Assistant, *replies: object) -> GroundedAnswerer:
    gen, _ = scripted(*replies)
    return GroundedAnswerer(assistant.answerer, gen, verifier=CitationVerifier(0.3), timeout=5, retries=0)


def test_ask_without_a_conversation_is_unchanged(assistant: Assistant) -> None:
    answer = assistant.ask("临江区最低生活保障审核确认办法规定的低保标准是多少？", legs="lexical")
    assert not answer.refused and answer.generator == "extractive"
    assert answer.citations and all(c.n == i for i, c in enumerate(answer.citations, start=1))
    assert (answer.rewritten_query, answer.conversation_id, answer.notice) == ("", "", "")
    assert {"search", "answer", "total"} <= set(answer.timings)


def test_a_follow_up_is_rewritten_and_remembered(assistant: Assistant) -> None:
    cid = assistant.conversations.new_id()
    first = assistant.ask("临江区怎么申请低保？", conversation_id=cid)
    assert first.rewritten_query == "" and first.conversation_id == cid
    second = assistant.ask("那需要什么材料？", conversation_id=cid)
    assert second.question == "那需要什么材料？"
    assert second.rewritten_query == "临江区申请低保需要什么材料？"
    assert any("低保申请书" in h.chunk.text for h in second.hits)  # the list of materials, found by the rewrite
    assert [t.question for t in assistant.conversations.history(cid)] == ["临江区怎么申请低保？", "那需要什么材料？"]


def test_a_bad_conversation_id_is_refused(assistant: Assistant) -> None:
    with pytest.raises(UserInputError, match="conversation id"):
        assistant.ask("低保标准是多少？", conversation_id="no spaces allowed")


def test_ask_stream_checks_the_question_before_streaming(assistant: Assistant) -> None:
    with pytest.raises(UserInputError, match="empty"):
        assistant.ask_stream("   ")


def test_ask_stream_extractive_gives_the_answer_as_one_token(assistant: Assistant) -> None:
    events = list(assistant.ask_stream("临江区低保标准是多少？"))
    assert [e["type"] for e in events] == ["token", "answer"]
    assert events[0]["text"] == events[1]["answer"]["answer"]
    json.dumps(events, ensure_ascii=False)  # events go to the web API as they are


def test_ask_stream_with_a_model(assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    question = "临江区低保标准是多少？"
    # The fake embedder ranks loosely: quote what was retrieved first, then add an invented number.
    start, end, quoted = build_sources(assistant.search(question))[0].units[0]
    quoted = quoted.rstrip("。；;")
    reply = f"{quoted}[1]。每年还会另外发放2000元过节费[1]。"
    monkeypatch.setattr(assistant, "writer", with_model(assistant, reply))
    seen = []
    assistant.observers.append(seen.append)
    try:
        events = list(assistant.ask_stream(question, conversation_id="stream-test"))
    finally:
        assistant.observers.remove(seen.append)
    assert "".join(e["text"] for e in events if e["type"] == "token") == reply
    final = events[-1]["answer"]
    assert final["answer"] == f"{quoted}[1]。" and "2000" not in final["answer"]
    assert [s["verified"] for s in final["sentences"]] == [True]
    assert (final["citations"][0]["start"], final["citations"][0]["end"]) == (start, end)  # the span quoted
    assert final["prompt_version"] == "answer.v1" and final["generator"] == "openai:scripted"
    assert final["conversation_id"] == "stream-test"
    assert seen and seen[0].prompt_version == "answer.v1"  # observers (the audit log) see the verified answer


def test_model_failure_reaches_the_caller_as_a_notice(assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assistant, "writer", with_model(assistant, TimeoutError("read timed out")))
    answer = assistant.ask("临江区低保标准是多少？")
    assert answer.notice and answer.citations and answer.generator == "extractive"
    assert answer.render_text().startswith(f"（{answer.notice}）")


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [("extractive", ("extractive", "")), ("openai:qwen2.5-7b-instruct", ("openai", "qwen2.5-7b-instruct")),
     ("llamacpp:/models/a b.gguf", ("llamacpp", "/models/a b.gguf")), ("OpenAI:glm-4", ("openai", "glm-4"))],
)
def test_generator_specs(spec: str, parsed: tuple[str, str]) -> None:
    assert parse_spec(spec) == parsed


@pytest.mark.parametrize(("spec", "message"), [("gpt4", "unknown generator"), ("openai:", "names no model"),
                                              ("llamacpp:model.bin", "not a .gguf")])
def test_bad_generator_specs_say_what_to_write(spec: str, message: str) -> None:
    with pytest.raises(ProviderError, match=message):
        make_generator(spec, base_url="http://127.0.0.1:1/v1")


def test_the_openai_generator_needs_an_endpoint_or_a_key() -> None:
    with pytest.raises(ProviderError, match="OPENAI_BASE_URL"):
        make_generator("openai:qwen")
    gen = make_generator("openai:qwen", base_url="http://127.0.0.1:9/v1", timeout=7, max_tokens=99)
    assert isinstance(gen, ChatModelGenerator) and gen.name == "openai:qwen"
    chat = gen.chat_model
    assert (chat.request_timeout, chat.extra_body, chat.max_retries) == (7, {"max_tokens": 99}, 0)  # retries are ours


def test_a_missing_gguf_file_says_so() -> None:
    gen = make_generator("llamacpp:/nowhere/model.gguf")
    assert isinstance(gen, LlamaCppGenerator)
    with pytest.raises(ProviderError, match="no model file"):
        gen.warm_up()


def test_importing_the_service_loads_no_model_backend() -> None:
    code = ("import sys, service.assistant, service.cli; "
            "print([m for m in ('langchain_openai', 'openai', 'llama_cpp') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_cli_ask_with_a_generator(settings: Settings, assistant: Assistant) -> None:
    from service.cli import app

    base = ["--data-dir", str(settings.data_dir), "--embedder", "fake:256"]
    runner = CliRunner()
    result = runner.invoke(app, [*base, "ask", "临江区低保标准是多少？", "--generator", "extractive", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["generator"] == "extractive" and "prompt_version" in data and data["citations"]
    result = runner.invoke(app, [*base, "ask", "低保标准是多少？", "--generator", "gpt4"])
    assert result.exit_code != 0 and "unknown generator" in str(result.exception)
