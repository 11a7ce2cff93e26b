# The ICC practice assistant. `make run` installs everything and starts the app on ../shared/corpus.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORPUS ?= $(or $(ICC_CORPUS_DIR),../shared/corpus)
export ICC_CORPUS_DIR := $(CORPUS)
export HF_HUB_OFFLINE := 1

.PHONY: install run build test test-all lint eval bench loadtest browser-deps catalogues clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

install: $(BIN)/python
	# torch first, from the CPU wheel on this machine's disk; any other route pulls a CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	@if command -v npm >/dev/null 2>&1; then $(MAKE) -s web-assets || echo "htmx could not be installed"; fi

web-assets:
	# htmx and Swagger UI (for /docs) from the npm registry into a git-ignored folder; nothing third-party is committed
	mkdir -p web/static/vendor/swagger-ui build/npm
	cd build/npm && [ -f node_modules/htmx.org/dist/htmx.min.js ] && [ -f node_modules/swagger-ui-dist/swagger-ui-bundle.js ] \
		|| npm install --silent --no-audit --no-fund --prefix . htmx.org@2 swagger-ui-dist@5
	cp build/npm/node_modules/htmx.org/dist/htmx.min.js web/static/vendor/htmx.min.js
	cp build/npm/node_modules/swagger-ui-dist/swagger-ui-bundle.js build/npm/node_modules/swagger-ui-dist/swagger-ui.css \
		web/static/vendor/swagger-ui/

build: install
	$(BIN)/icc-assistant build

run: build
	$(BIN)/icc-assistant serve

test: install
	$(MAKE) -s lint
	$(BIN)/pytest -q

# ruff, mypy, and the floors (web → assistant → index → corpus, no import circles) checked by import-linter
lint:
	$(BIN)/ruff check assistant corpus index web tests
	$(BIN)/mypy
	$(BIN)/lint-imports

eval: build
	$(BIN)/icc-assistant eval ../shared/eval/dev.jsonl

bench: build
	$(BIN)/python -m assistant.evaluation.bench

# against a server already running (make run, or icc-assistant serve --workers N) on this machine
LOADTEST_URL ?= http://127.0.0.1:8000
loadtest:
	$(BIN)/python scripts/loadtest.py --url $(LOADTEST_URL) $(LOADTEST_ARGS)

browser-deps:
	apt-get install -y chromium

# the gettext catalogues (assistant/locale, web/locale) in step with the templates: new messages added, then translate
catalogues:
	$(BIN)/python scripts/catalogues.py

clean:
	rm -rf .icc build .pytest_cache .mypy_cache .ruff_cache
