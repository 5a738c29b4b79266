"""Citizen endpoints: /v1/ask (JSON and SSE), /v1/feedback, /v1/chat/completions, and their error paths."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from service.answers import book_title
from tests.service import apikit
from tests.service.apikit import DIBAO_QUESTION, sse_events

app, client, corpus_assistant = apikit.app, apikit.client, apikit.corpus_assistant  # fixtures


def test_ask_answers_with_citations_and_ids(client: TestClient, corpus_assistant) -> None:  # noqa: ANN001
    r = client.post("/v1/ask", json={"question": DIBAO_QUESTION})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["refused"] is False
    assert body["answer"] == corpus_assistant.ask(DIBAO_QUESTION).answer  # HTTP passes the answer through intact
    assert body["citations"] and body["retrieved"]
    assert body["label"] == "AI生成，仅供参考，以原文为准"
    registry = corpus_assistant.index.registry
    for c in body["citations"]:
        (record,) = registry.find(c["doc"])
        assert registry.document_text(record.doc_id)[c["start"] : c["end"]] == c["quote"]
    assert len(body["answer_id"]) == 32 and body["conversation_id"]


def test_ask_is_audited_with_personal_data_redacted(client: TestClient, app) -> None:  # noqa: ANN001
    question = "我手机13812345678，身份证11010519491231002X，低保标准是多少？"
    body = client.post("/v1/ask", json={"question": question, "conversation_id": "conv-42"}).json()
    assert body["conversation_id"] == "conv-42"
    row = app.state.context.audit.get(body["answer_id"])
    assert row["channel"] == "api" and row["conversation_id"] == "conv-42"
    assert row["question"] == "我手机[手机号]，身份证[身份证号]，低保标准是多少？"
    assert json.loads(row["chunk_ids"]) == [h["chunk_id"] for h in body["retrieved"]]
    assert row["answer"] == body["answer"]


def test_filters_restrict_the_sources(client: TestClient) -> None:
    only = "linjiang_gongjijin_tiqu_guide.md"
    body = client.post("/v1/ask", json={"question": "怎样提取住房公积金？", "filters": {"sources": [only]}}).json()
    assert body["citations"], body
    assert {c["doc"] for c in body["citations"]} == {only}
    assert {h["doc"] for h in body["retrieved"]} == {only}


def test_unknown_filter_field_is_rejected(client: TestClient) -> None:
    r = client.post("/v1/ask", json={"question": "低保", "filters": {"doctype": ["通知"]}})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_request"
    assert "doctype" in r.json()["error"]["message"]


def test_question_errors(client: TestClient) -> None:
    empty = client.post("/v1/ask", json={"question": "   "})
    assert empty.status_code == 422 and "empty" in empty.json()["error"]["message"]
    long = client.post("/v1/ask", json={"question": "低" * 600})
    assert long.status_code == 422 and "at most 500" in long.json()["error"]["message"]
    missing = client.post("/v1/ask", json={})
    assert missing.status_code == 422 and "question is required" in missing.json()["error"]["message"]


def test_huge_body_gets_a_fast_413(client: TestClient) -> None:
    r = client.post("/v1/ask", json={"question": "低" * 100_000})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large"


def test_malformed_json(client: TestClient) -> None:
    r = client.post("/v1/ask", content='{"question": "低保'.encode(), headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "malformed_json"
    not_object = client.post("/v1/ask", json=["低保"])
    assert not_object.status_code in (400, 422) and "error" in not_object.json()


def test_ask_streams_server_sent_events(client: TestClient) -> None:
    with client.stream("POST", "/v1/ask", json={"question": DIBAO_QUESTION, "stream": True}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    events = sse_events(text)
    names = [n for n, _ in events]
    assert names[0] == "start" and names[-1] == "answer" and names.count("delta") >= 1
    final = events[-1][1]
    assert "".join(d["text"] for n, d in events if n == "delta").strip()
    assert events[0][1]["conversation_id"] == final["conversation_id"]
    plain = client.post("/v1/ask", json={"question": DIBAO_QUESTION}).json()
    assert final["answer"] == plain["answer"] and final["citations"] == plain["citations"]
    assert final["answer_id"] != plain["answer_id"]  # each answer has its own audit row


def test_streamed_answer_is_audited(client: TestClient, app) -> None:  # noqa: ANN001
    text = client.post("/v1/ask", json={"question": "手机13812345678，低保标准？", "stream": True,
                                        "conversation_id": "s-1"}).text
    final = sse_events(text)[-1][1]
    row = app.state.context.audit.get(final["answer_id"])
    assert row["question"] == "手机[手机号]，低保标准？" and row["conversation_id"] == "s-1"


def test_stream_errors_are_json_before_streaming(client: TestClient) -> None:
    r = client.post("/v1/ask", json={"question": "低" * 600, "stream": True})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/json")


def test_feedback_roundtrip_and_errors(client: TestClient, app) -> None:  # noqa: ANN001
    answer_id = client.post("/v1/ask", json={"question": DIBAO_QUESTION}).json()["answer_id"]
    r = client.post("/v1/feedback", json={"answer_id": answer_id, "rating": "down", "comment": "回电13812345678"})
    assert r.status_code == 200 and r.json()["ok"] is True
    stored = app.state.context.audit.get(answer_id)["feedback"]
    assert [(f["rating"], f["comment"]) for f in stored] == [(-1, "回电[手机号]")]
    unknown = client.post("/v1/feedback", json={"answer_id": "nope", "rating": "up"})
    assert unknown.status_code == 422 and "no answer" in unknown.json()["error"]["message"]
    bad = client.post("/v1/feedback", json={"answer_id": answer_id, "rating": 5})
    assert bad.status_code == 422


def test_openai_chat_completion(client: TestClient) -> None:
    r = client.post("/v1/chat/completions", json={
        "model": "policy-assistant", "temperature": 0.2,
        "messages": [{"role": "system", "content": "你是助手"}, {"role": "user", "content": DIBAO_QUESTION}],
    })
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object"] == "chat.completion"
    message = body["choices"][0]["message"]
    assert message["role"] == "assistant" and body["choices"][0]["finish_reason"] == "stop"
    asked = client.post("/v1/ask", json={"question": DIBAO_QUESTION}).json()
    assert message["content"].split("\n\n来源：")[0] == asked["answer"]
    assert "来源：" in message["content"] and message["content"].endswith("（AI生成，仅供参考，以原文为准）")
    assert body["citations"] and body["refused"] is False
    assert book_title(body["citations"][0]["title"]) in message["content"]


def test_openai_chat_completion_accepts_content_parts(client: TestClient) -> None:
    r = client.post("/v1/chat/completions", json={
        "messages": [{"role": "user", "content": [{"type": "text", "text": DIBAO_QUESTION}]}]})
    assert r.status_code == 200 and "来源：" in r.json()["choices"][0]["message"]["content"]


def test_openai_chat_completion_stream(client: TestClient) -> None:
    payload = {"messages": [{"role": "user", "content": DIBAO_QUESTION}], "stream": True}
    with client.stream("POST", "/v1/chat/completions", json=payload) as r:
        assert r.status_code == 200
        text = "".join(r.iter_text())
    events = [data for _, data in sse_events(text)]
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    content = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    plain = client.post("/v1/chat/completions", json={"messages": payload["messages"]}).json()
    assert content == plain["choices"][0]["message"]["content"]
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["citations"]


def test_openai_chat_completion_needs_a_user_message(client: TestClient) -> None:
    r = client.post("/v1/chat/completions", json={"messages": [{"role": "system", "content": "hi"}]})
    assert r.status_code == 422
    assert "user message" in r.json()["error"]["message"]


def test_unanswerable_question_is_refused_and_counted(client: TestClient, app) -> None:  # noqa: ANN001
    metrics = app.state.context.metrics
    before = metrics.value("policy_refusals_total", channel="api")
    body = client.post("/v1/ask", json={"question": "2030年个税起征点是多少"}).json()
    assert body["refused"] is True and body["citations"] == []
    assert "12345" in body["answer"]
    assert metrics.value("policy_refusals_total", channel="api") == before + 1


def test_openai_follow_ups_share_a_conversation(client: TestClient, app) -> None:  # noqa: ANN001
    first = [{"role": "user", "content": DIBAO_QUESTION}]
    one = client.post("/v1/chat/completions", json={"messages": first}).json()
    follow = first + [{"role": "assistant", "content": one["choices"][0]["message"]["content"]},
                      {"role": "user", "content": "那申请要多久审核完？"}]
    two = client.post("/v1/chat/completions", json={"messages": follow}).json()
    assert one["conversation_id"] == two["conversation_id"]
    other = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "公积金怎么取？"}]})
    assert other.json()["conversation_id"] != one["conversation_id"]
    explicit = client.post("/v1/chat/completions", json={"messages": first, "conversation_id": "mine-1"}).json()
    assert explicit["conversation_id"] == "mine-1"
    row = app.state.context.audit.get(two["answer_id"])
    assert row["channel"] == "openai"
    # the follow-up was rewritten from the conversation's history, and the audit keeps what was searched
    assert row["rewritten_query"] not in ("", "那申请要多久审核完？") and "低保" in row["rewritten_query"]


def test_answer_fields_added_by_features_reach_the_client(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": DIBAO_QUESTION}).json()
    assert {"model", "prompt_version", "notice", "rewritten_query"} <= set(body)
    assert body["generator"] == "extractive" and body["model"] == ""
