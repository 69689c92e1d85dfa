# The two commands: `make run` opens Dossier on the default dossier; `make test` runs the suite
# (`make test-fast` skips the tests marked slow).
# Both create .venv and install the project (and Qt's system libraries) when needed.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
LOCK   := requirements.lock

.PHONY: run test test-fast setup system-deps lint bench walkthrough clean lock lock-upgrade

run: setup
	@$(BIN)/dossier gui

test: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider

# The quick loop while working: every test not marked slow (a few seconds or more each).
test-fast: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow"

# System packages first: Qt's libraries, Tesseract, PostgreSQL (the team dossier tests start a
# throwaway cluster) and what building PyICU from the lock needs.
setup: system-deps $(STAMP)

# Packages come from requirements.lock (exact versions with hashes); the project itself is then
# installed without dependencies. `pip check` catches a lock that misses a line pyproject.toml
# declares: run `make lock` then.
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
	  echo "$(LOCK) does not match pyproject.toml: run 'make lock'" >&2; exit 1; }
	@touch $(STAMP)

# Re-lock after changing dependencies in pyproject.toml: keeps every existing pin, adds what is
# new (after a merge conflict in the lock, take either side and run this). `make lock-upgrade`
# moves every package to its newest allowed version.
LOCK_FLAGS := --quiet --generate-hashes --extra test --allow-unsafe --strip-extras \
              --no-emit-index-url --no-emit-find-links --output-file $(LOCK)

lock: $(BIN)/pip-compile
	$(BIN)/pip-compile $(LOCK_FLAGS) pyproject.toml

lock-upgrade: $(BIN)/pip-compile
	$(BIN)/pip-compile $(LOCK_FLAGS) --upgrade pyproject.toml

$(BIN)/pip-compile:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'pip-tools>=7.4'

system-deps:
	@bash .ci/system-deps.sh
	@bash .ci/build-deps.sh
	@bash .ci/ocr-deps.sh
	@bash .ci/pg-deps.sh

lint: setup
	$(BIN)/ruff check app db ui launch tests benchmarks scripts
	$(BIN)/mypy

bench: setup
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# A newcomer's first session driven through the real window under Xvfb, both themes.
walkthrough: setup system-deps
	@bash .ci/walkthrough.sh

clean:
	rm -rf $(VENV) build dist *.egg-info
