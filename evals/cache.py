"""Resumable runs: each answer is stored as soon as it is made, keyed by question and configuration hash.

A configuration hash covers what can change an answer: the configuration's own description, the settings, the
indexed corpus (text hashes) and the source code of the packages that answer. Re-running the same command skips
every question already answered under the same hash; changing any of these starts afresh.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from evals.suites import Case


def stable_hash(data: Any, length: int = 16) -> str:
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:length]


# The code an answer depends on (the HTTP API, WeChat bridge or drafting code do not change answers).
ANSWERING_CODE = (
    "retriever", "ingest", "service/assistant.py", "service/answers.py", "service/extractive.py",
    "service/settings.py", "service/generation", "evals/pipelines.py", "evals/baselines.py",
)


def code_fingerprint(parts: Iterable[str] = ANSWERING_CODE) -> str:
    """A hash of the Python sources and data files under `parts` (folders or files of the repository).

    Scoring and reporting code is left out: predictions are re-scored on every run anyway.
    """
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for part in parts:
        base = root / part
        for path in sorted(base.rglob("*") if base.is_dir() else [base]):
            if path.is_file() and path.suffix in (".py", ".txt", ".json") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def case_key(case: Case) -> str:
    """The question id plus a hash of what is asked, so an edited question is answered again."""
    return f"{case.id}:{stable_hash([case.question, [(p.doc, p.text) for p in case.contexts]], 12)}"


class AnswerCache:
    """An append-only JSONL file of predictions for one configuration hash."""

    def __init__(self, folder: Path, config_hash: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{config_hash}.jsonl"
        self._items: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    item = json.loads(line)
                except json.JSONDecodeError:  # a line cut short by an interruption
                    continue
                self._items[item["key"]] = item["prediction"]

    def __len__(self) -> int:
        return len(self._items)

    def get(self, case: Case) -> dict[str, Any] | None:
        return self._items.get(case_key(case))

    def put(self, case: Case, prediction: dict[str, Any]) -> None:
        key = case_key(case)
        self._items[key] = prediction
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"key": key, "prediction": prediction}, ensure_ascii=False) + "\n")
