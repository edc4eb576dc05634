# Two commands: `make run` serves the demo, `make test` runs every check. Both set everything up first.
SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= small

.PHONY: run test setup browser lint typecheck pytest e2e clean-db fmt messages

run: setup
	$(PY) -m fengqiao migrate --noinput
	$(PY) -m fengqiao demo --scale $(SCALE) --if-empty
	@# The demo runs with DEBUG on: with it off, serve refuses the built-in development keys (fengqiao.E001/E002).
	@# The demo's administrators and leaders sign in with a password only, unless FENGQIAO_TOTP_REQUIRED_ROLES is set.
	DEBUG=$${DEBUG:-1} FENGQIAO_TOTP_REQUIRED_ROLES="$${FENGQIAO_TOTP_REQUIRED_ROLES-}" $(PY) -m fengqiao serve \
		--host $(HOST) --port $(PORT) --with-worker

test: setup browser lint typecheck pytest

setup: .venv/.synced

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

# Browser tests drive Debian's Chromium; CJK fonts make Chinese pages render in screenshots, and chromium-l10n gives the
# browser's own controls (file pickers) their Chinese words.
browser:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "noto sans cjk" \
		|| [ ! -e /usr/lib/chromium/locales/zh-CN.pak ]; then \
		echo "installing chromium, its Chinese locale and CJK fonts (apt)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-l10n fonts-noto-cjk >/dev/null; \
	fi

lint: setup
	$(PY) -m ruff check src tests bench scripts
	$(PY) -m ruff format --check src tests bench scripts

typecheck: setup
	$(PY) -m mypy

# PYTEST_MARKERS narrows the run (.ci/run's PostgreSQL pass leaves out what the SQLite pass ran exactly as it would).
pytest: setup
	$(PY) -m pytest -q -p no:cacheprovider $(if $(PYTEST_MARKERS),-m "$(PYTEST_MARKERS)")

e2e: setup browser
	$(PY) -m pytest -q tests/e2e

fmt: setup
	$(PY) -m ruff format src tests bench scripts
	$(PY) -m ruff check --fix src tests bench scripts

# Refresh the English catalogues (django and djangojs) from the marked strings, then compile them.
# Translate the new entries in src/fengqiao/locale/en/LC_MESSAGES/*.po and run it again; tests/core/test_english.py
# fails while an entry is empty, fuzzy or not compiled.
MESSAGES := cd src/fengqiao && DJANGO_SETTINGS_MODULE=fengqiao.settings $(CURDIR)/$(PY) -m django
messages: setup
	$(MESSAGES) makemessages -l en --no-obsolete --no-wrap
	$(MESSAGES) makemessages -d djangojs -l en --no-obsolete --no-wrap --ignore 'static/vendor/*'
	$(MESSAGES) compilemessages -l en
