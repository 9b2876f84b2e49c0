# The two set-up commands (see README):
#   make run   install into .venv and start the daemon on its embedded defaults
#   make test  install the test dependencies, start the services tests need, run every test
# Both are idempotent: a second run reuses what is installed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CONFIG ?= config/listener.example.yml
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install install-dev system-deps lint typecheck pytest bench screenshots clean lock audit

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "listener needs Python 3.11 or newer")'
	@echo "==> creating virtual environment $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Every install path installs from a lock with hashes (requirements/*.lock, made by
# `make lock` with uv from pyproject.toml): exact versions, each file checked, so no
# dependency range can pull another torch or a tampered package. The daemon needs no
# torch (the model runs on ONNX Runtime): `make run` installs run.lock. Tests and
# training need torch (pinned 2.15.0 in dev.lock; PyPI's build brings several GB of
# CUDA libraries, cached by pip under ~/.cache so a second install or a fresh clone
# reuses the download). Listener itself goes in editable, without dependencies.
TORCH_VERSION := 2.15.0

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements/run.lock
	@echo "==> installing the locked runtime dependencies (ONNX Runtime, no torch) into $(VENV)"
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/run.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements/dev.lock
	@echo "==> installing the locked training, test and lint tools (torch $(TORCH_VERSION)) into $(VENV)"
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.lock
	@touch $@

# Re-pin after changing a dependency in pyproject.toml (needs the package registry).
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/python -m uv pip compile pyproject.toml --extra model --generate-hashes \
		--python-version 3.11 -o requirements/run.lock
	$(BIN)/python -m uv pip compile pyproject.toml --extra model --extra train --extra dev \
		--generate-hashes --python-version 3.11 -o requirements/dev.lock

# Known vulnerabilities in the locked versions (needs the internet: the advisory databases).
audit: $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-audit
	$(BIN)/python -m pip_audit --require-hashes --disable-pip -r requirements/run.lock
	$(BIN)/python -m pip_audit --require-hashes --disable-pip -r requirements/dev.lock

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

# What the tests need from the system: headless Chromium (renders the digest at phone
# and desktop widths), a CJK font (charts, pages), openssl (a test TLS certificate).
# Installed with apt when missing (sudo when not root); nothing when all are there.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing="chromium"; \
	fc-list 2>/dev/null | grep -qiE "WenQuanYi|Noto Sans CJK|Source Han Sans" || missing="$$missing fonts-wqy-microhei"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	if [ -n "$$missing" ]; then \
		echo "==> installing system packages:$$missing (apt)"; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

pytest: install-dev system-deps
	@echo "==> pytest"
	$(BIN)/python -m pytest

# Refresh the README's pictures (docs/*.png) with the tests' own renderer.
screenshots: install-dev system-deps
	LISTENER_DOCS_DIR=docs $(BIN)/python -m pytest -q tests/integration/test_rendering.py tests/integration/test_demo.py

test: lint typecheck pytest

bench: install-dev
	$(BIN)/python -m bench.spool_store
	$(BIN)/python -m bench.detect_pass
	$(BIN)/python -m bench.early_warning
	$(BIN)/python -m bench.notify
	$(BIN)/python -m bench.sentiment
	$(BIN)/python -m bench.pipeline

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
