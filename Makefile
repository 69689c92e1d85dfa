# The two commands: `make run` opens Dossier on the default dossier; `make test` runs the suite.
# Both create .venv and install the project (and Qt's system libraries) when needed.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test setup system-deps lint bench clean

run: setup system-deps
	@$(BIN)/dossier gui

test: setup system-deps
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

system-deps:
	@bash .ci/system-deps.sh
	@bash .ci/ocr-deps.sh

lint: setup
	$(BIN)/ruff check app db ui tests benchmarks
	$(BIN)/mypy

bench: setup
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build dist *.egg-info
