# liveroom — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
APP := .venv/bin/python

.PHONY: help setup demo test unit e2e lint format train bench clean

help:
	@echo "make demo   set up, start graph DB + action server + Rasa + gateway, open http://127.0.0.1:8080"
	@echo "make test   set up what tests need, lint, run the whole suite (real processes)"
	@echo "make setup  build/link the two cached runtimes (.venv Python>=3.11, .venv-rasa Python 3.10)"
	@echo "make train  train the Rasa model if config/domain/data/nlu changed"
	@echo "make lint   ruff check + format check"
	@echo "make bench  run the benchmarks and evaluations in bench/ (figures + JSON in bench/results/)"

# Idempotent: links cached venvs (keyed by requirement-file hashes) or builds them once.
setup:
	@$(PYTHON) -m bot.bootstrap

demo: setup
	$(APP) -m bot up

train: setup
	$(APP) -m bot train

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

unit: setup
	$(APP) -m pytest -m "not e2e"

e2e: setup
	$(APP) -m pytest -m e2e

test: setup lint
	$(APP) -m pytest

# Each script prints its figures and ratios against a baseline measured in the same run.
bench: setup
	@set -e; for script in bench/bench_*.py bench/eval_*.py; do \
		[ -e "$$script" ] || continue; echo "== $$script"; $(APP) "$$script"; done

clean:
	rm -rf var models .pytest_cache .ruff_cache
