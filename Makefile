# OpenCity — `make run` and `make test` do the whole set-up on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export OPENCITY_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test install install-test lint fmt bench messages compilemessages worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

PORT   ?= 8000

## Install, migrate, seed the demo host if the database is empty, serve on http://127.0.0.1:$(PORT) (SQLite)
## with a task worker alongside (emails, renewals): `make run PORT=8301` for another port.
run: install
	OPENCITY_DEMO=$${OPENCITY_DEMO:-1} $(BIN)/opencity serve --demo-if-empty --port $(PORT)

## One more background worker for the tasks queue (`serve` already runs one unless --no-worker).
worker: install
	$(BIN)/opencity worker

## The whole suite: lint, then pytest (SQLite by default; set DATABASE_URL for PostgreSQL).
test: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m opencity.core.i18n_check
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check src tests bench

fmt: install-test
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

## Speed goals, as ratios against a baseline measured in the same run.
## bench.scale (issue 15) builds PostgreSQL databases of 1,000 and 1,000,000 transfers and serves them:
## about 20 minutes on a 2-core machine (`$(BIN)/python -m bench.scale --small` checks it in about 5).
bench: install-test
	$(BIN)/python -m bench
	$(BIN)/python -m bench.ticket_rush
	$(BIN)/python -m bench.scale

## Update the .po catalogues (needs GNU gettext on the developer's machine only).
messages: install-test
	./scripts/messages.sh

## Compile .po to .mo with polib (pure Python: no gettext needed anywhere).
compilemessages: install-test
	$(BIN)/python -m opencity.core.i18n_check --compile

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
