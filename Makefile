# The two set-up commands (see README):
#   make run   install into .venv and start the daemon on its embedded defaults
#   make test  install the test dependencies, start the services tests need, run every test
# Both are idempotent: a second run reuses what is installed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CONFIG ?= config/listener.example.yml
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install install-dev lint typecheck pytest bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "listener needs Python 3.11 or newer")'
	@echo "==> creating virtual environment $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	@echo "==> installing listener and its runtime dependencies into $(VENV)"
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	@echo "==> installing test and lint tools into $(VENV)"
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	@echo "==> starting the daemon with $(CONFIG) (Ctrl-C stops it)"
	$(BIN)/listener --config $(CONFIG) run

lint: install-dev
	@echo "==> ruff"
	$(BIN)/ruff check listener spiders models alerts tests bench
	$(BIN)/ruff format --check listener spiders models alerts tests bench

typecheck: install-dev
	@echo "==> mypy"
	$(BIN)/mypy

pytest: install-dev
	@echo "==> pytest"
	$(BIN)/python -m pytest

test: lint typecheck pytest

bench: install-dev
	$(BIN)/python -m bench.spool_store
	$(BIN)/python -m bench.detect_pass
	$(BIN)/python -m bench.early_warning

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
