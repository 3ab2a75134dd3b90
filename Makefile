# liveroom — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
APP := .venv/bin/python

.PHONY: help setup system-deps demo test unit e2e lint format train bench eval rasa-runtime-test clean

help:
	@echo "make demo   set up, start graph DB + action server + Rasa + gateway, open http://127.0.0.1:8080"
	@echo "make test   set up what tests need, lint, run the whole suite (real processes)"
	@echo "make setup  build/link the two cached runtimes (.venv Python>=3.11, .venv-rasa Python 3.10)"
	@echo "make train  train the Rasa model if config/domain/data/nlu changed"
	@echo "make lint   ruff check + format check"
	@echo "make bench  run the benchmarks and evaluations in bench/ (figures + JSON in bench/results/)"
	@echo "make eval   NLU: train liveroom's and Rasa's default config, evaluate on the held-out split (var/eval/report.md)"

# Idempotent: links cached venvs (keyed by requirement-file hashes) or builds them once.
setup:
	@$(PYTHON) -m bot.bootstrap

# Debian packages the test suite drives for real: a Prometheus server scrapes the gateway, headless
# Chromium runs the browser tests and renders the stream report's PDF/PNG, Noto CJK draws Chinese text.
SYSTEM_PACKAGES := prometheus chromium fonts-noto-cjk
system-deps:
	@missing=""; for pkg in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "missing Debian packages:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
		echo "installing Debian packages:$$missing"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
		{ apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; }; \
	fi

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

e2e: setup system-deps
	$(APP) -m pytest -m e2e

test: setup system-deps lint
	$(APP) -m pytest
	$(MAKE) rasa-runtime-test

# nlu/ components, `rasa data validate`, `rasa test core` on test stories, eval report generation:
# these import rasa, which only the Python 3.10 runtime has (the app runtime skips the directory).
rasa-runtime-test: setup
	PYTHONPATH=$(CURDIR) .venv-rasa/bin/python -m pytest -p no:cacheprovider tests/rasa_runtime

# Trains both NLU configs on data/ (reused by content hash), evaluates on tests/nlu/heldout_*.yml.
eval: setup
	.venv-rasa/bin/python bench/eval_nlu.py

# Each script prints its figures and ratios against a baseline measured in the same run.
bench: setup
	@set -e; for script in bench/bench_*.py bench/eval_*.py; do \
		[ -e "$$script" ] || continue; echo "== $$script"; $(APP) "$$script"; done

clean:
	rm -rf var models .pytest_cache .ruff_cache
