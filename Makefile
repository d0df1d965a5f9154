# Two commands on a fresh machine with Python 3.11+ and make:
#   make run    set everything up, update every source, tag, extract, serve http://localhost:8501
#   make test   set everything up and run the whole test suite
PYTHON ?= python3
TOOLS := .tools
VENV := .venv
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.9
LW := $(VENV)/bin/leanwatch
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: setup run update ui test lint format bench clean torch

setup: $(VENV)/.synced

# uv lives in its own small venv so that syncing the project's venv never removes it.
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --inexact --python $(PYTHON)
	@touch $@

# PyTorch, CPU build, for the re-run harness (the `harness` extra): a local wheel when the machine has
# one, else PyTorch's CPU index; never the multi-GB CUDA build an unpinned resolution pulls. --inexact
# above keeps it across syncs. Without it the harness skips its torch recipes and says so.
TORCH_WHEEL := $(firstword $(wildcard /opt/wheels/torch-2.13.0+cpu-cp3*-*.whl))
torch: setup
	@$(VENV)/bin/python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('torch') is None)" \
	  || $(UV) pip install --quiet --python $(VENV)/bin/python $(or $(TORCH_WHEEL),torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu --extra-index-url https://pypi.org/simple) \
	  || echo "torch: not installed; the harness will skip its torch recipes"

run: setup
	@$(LW) update || echo "update: some sources failed (above); the app opens on what the store holds"
	$(LW) ui

update: setup
	$(LW) update

ui: setup
	$(LW) ui

test: setup torch
	$(VENV)/bin/pytest -q

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup
	$(VENV)/bin/python -m bench.store_upsert
	$(VENV)/bin/python -m bench.arxiv_pages
	$(VENV)/bin/python -m bench.arxiv_snapshot
	$(VENV)/bin/python -m bench.tagger
	$(VENV)/bin/python -m bench.extraction
	$(VENV)/bin/python -m bench.trends
	$(VENV)/bin/python -m bench.ui

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
