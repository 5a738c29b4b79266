"""Staff endpoints: token checks, uploads and their limits, documents, validity, reindex, search, audit export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.api.errors import ConfigurationError
from tests.service import apikit
from tests.service.apikit import AUTH, make_settings

app, client, corpus_assistant = apikit.app, apikit.client, apikit.corpus_assistant  # fixtures

PET_RULES = (
    "青禾市临江区犬只登记管理办法\n\n第一条 为规范犬只登记，制定本办法。\n\n"
    "第二条 犬只登记费为每只每年30元，登记地点为区公安分局犬类管理所。\n"
)


def _upload(client: TestClient, name: str, data: bytes, **form: str):  # noqa: ANN202
    return client.post("/v1/documents", headers=AUTH, files=[("files", (name, data, "text/plain"))], data=form)


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v1/documents"), ("POST", "/v1/reindex"), ("GET", "/v1/search?q=低保"), ("GET", "/v1/audit/export"),
    ("DELETE", "/v1/documents/x"), ("PATCH", "/v1/documents/x"),
])
def test_staff_endpoints_need_the_token(client: TestClient, method: str, path: str) -> None:
    missing = client.request(method, path)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "missing_token"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = client.request(method, path, headers={"Authorization": "Bearer not-the-right-token-123456"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "invalid_token"


@pytest.mark.parametrize("token", [None, "changeme", "CHANGEME", "short-token", "aaaaaaaaaaaaaaaaaaaa"])
def test_placeholder_token_refused_outside_dev_mode(tmp_path: Path, corpus_assistant, token) -> None:  # noqa: ANN001
    with pytest.raises(ConfigurationError, match="POLICY_STAFF_TOKEN"):
        create_app(make_settings(tmp_path, staff_token=token), assistant=corpus_assistant)


def test_dev_mode_replaces_a_placeholder_with_a_random_token(tmp_path: Path, corpus_assistant) -> None:  # noqa: ANN001
    dev_app = create_app(make_settings(tmp_path, staff_token="changeme", dev_mode=True), assistant=corpus_assistant)
    token = dev_app.state.context.staff_token
    assert token != "changeme" and len(token) >= 16
    with TestClient(dev_app) as c:
        assert c.get("/v1/documents", headers={"Authorization": "Bearer changeme"}).status_code == 403
        assert c.get("/v1/documents", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_upload_list_show_and_ask(client: TestClient) -> None:
    r = _upload(client, "../../犬只登记办法.txt", PET_RULES.encode(), doc_type="规范性文件", issued="2024-05-01")
    assert r.status_code == 200, r.text
    (result,) = r.json()["results"]
    assert result["status"] == "added" and result["source"] == "犬只登记办法.txt" and result["chunks"] >= 1
    assert Path(result["path"]).resolve().is_relative_to(Path(client.app.state.context.uploads_dir).resolve())
    listed = client.get("/v1/documents", headers=AUTH, params={"q": "犬只"}).json()
    assert [d["source"] for d in listed["documents"]] == ["犬只登记办法.txt"]
    doc = listed["documents"][0]
    assert doc["meta"]["doc_type"] == "规范性文件" and doc["meta"]["issued"] == "2024-05-01"
    shown = client.get(f"/v1/documents/{doc['doc_id']}", headers=AUTH, params={"chunks": "true"}).json()
    assert any("30元" in c["text"] for c in shown["chunks"])
    again = _upload(client, "犬只登记办法.txt", PET_RULES.encode())
    assert again.json()["results"][0]["status"] in ("unchanged", "meta_updated")
    answer = client.post("/v1/ask", json={"question": "犬只登记费每年多少钱？",
                                          "filters": {"sources": ["犬只登记办法.txt"]}}).json()
    assert "30元" in answer["answer"] and answer["citations"][0]["doc"] == "犬只登记办法.txt"


def test_upload_errors(client: TestClient, tmp_path: Path, corpus_assistant) -> None:  # noqa: ANN001
    wrong_type = _upload(client, "setup.exe", b"MZ\x90\x00")
    assert wrong_type.status_code == 415 and ".exe" in wrong_type.json()["error"]["message"]
    empty = _upload(client, "empty.txt", b"")
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "empty_file"
    corrupt = _upload(client, "broken.pdf", b"%PDF-1.4 this is not really a pdf")
    assert corrupt.status_code == 422 and corrupt.json()["error"]["code"] == "ingest_failed"
    assert corrupt.json()["error"]["details"][0]["status"] == "failed"
    bad_meta = _upload(client, "x.txt", PET_RULES.encode(), doc_type="小说")
    assert bad_meta.status_code == 422 and "doc_type" in bad_meta.json()["error"]["message"]
    bad_date = _upload(client, "x.txt", PET_RULES.encode(), issued="2024/05/01")
    assert bad_date.status_code == 422
    small = create_app(make_settings(tmp_path, max_upload_mb=0.01), assistant=corpus_assistant)
    with TestClient(small) as c:
        too_big = _upload(c, "big.txt", ("政策" * 4000).encode())
        assert too_big.status_code == 413


def test_mark_repealed_then_delete(client: TestClient) -> None:
    _upload(client, "犬只登记办法.txt", PET_RULES.encode())
    only = {"sources": ["犬只登记办法.txt"]}
    r = client.patch("/v1/documents/犬只登记办法.txt", headers=AUTH, json={"validity": "已废止"})
    assert r.status_code == 200 and r.json()["meta"]["validity"] == "已废止"
    answer = client.post("/v1/ask", json={"question": "犬只登记费每年多少钱？", "filters": only}).json()
    assert answer["refused"] is True and answer["citations"] == []
    lapsed = client.post("/v1/ask", json={"question": "犬只登记费每年多少钱？",
                                          "filters": only | {"include_lapsed": True}}).json()
    assert lapsed["citations"] and lapsed["citations"][0]["validity"] == "已废止"
    invalid = client.patch("/v1/documents/犬只登记办法.txt", headers=AUTH, json={"validity": "作废"})
    assert invalid.status_code == 422
    removed = client.delete("/v1/documents/犬只登记办法.txt", headers=AUTH)
    assert removed.status_code == 200 and removed.json()["removed"]["source"] == "犬只登记办法.txt"
    assert client.get("/v1/documents/犬只登记办法.txt", headers=AUTH).status_code == 404
    assert client.delete("/v1/documents/犬只登记办法.txt", headers=AUTH).json()["error"]["code"] == "document_not_found"


def test_reindex_and_search(client: TestClient) -> None:
    total = client.get("/v1/documents", headers=AUTH).json()["total"]
    assert client.post("/v1/reindex", headers=AUTH).json() == {"reindexed": total}
    hits = client.get("/v1/search", headers=AUTH, params={"q": "住房公积金提取", "k": 3}).json()["hits"]
    assert 1 <= len(hits) <= 3
    assert {"doc", "chunk_id", "dense_rank", "lexical_rank"} <= set(hits[0])
    assert client.get("/v1/search", headers=AUTH).status_code == 422


def test_audit_export_by_date_range(client: TestClient) -> None:
    asked = client.post("/v1/ask", json={"question": "卡号6222021234567890128，低保标准是多少？"}).json()
    client.post("/v1/feedback", json={"answer_id": asked["answer_id"], "rating": "up", "comment": "清楚"})
    today = date.today()  # a China day; allow for the machine's zone by covering yesterday and tomorrow
    r = client.get("/v1/audit/export", headers=AUTH,
                   params={"date_from": str(today - timedelta(days=1)), "date_to": str(today + timedelta(days=1))})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(r.text.lstrip("\ufeff")))}
    row = rows[asked["answer_id"]]
    assert row["question"] == "卡号[银行卡号]，低保标准是多少？"
    assert row["feedback_rating"] == "1" and row["feedback_comment"] == "清楚" and row["channel"] == "api"
    old = client.get("/v1/audit/export", headers=AUTH, params={"date_from": "2000-01-01", "date_to": "2000-01-31"})
    assert len(list(csv.DictReader(io.StringIO(old.text.lstrip("\ufeff"))))) == 0
    backwards = client.get("/v1/audit/export", headers=AUTH, params={"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert backwards.status_code == 422
