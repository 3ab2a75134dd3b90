# liveroom — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
APP := .venv/bin/python

.PHONY: help setup system-deps neo4j web demo demo-platforms test unit e2e lint format train bench soak eval eval-room eval-qa eval-offtopic audit rasa-runtime-test clean

help:
	@echo "make demo   set up, start graph DB + action server + Rasa + gateway, open http://127.0.0.1:8080"
	@echo "make demo-platforms  make demo with local stand-ins for Twitch, Bilibili and YouTube (no accounts)"
	@echo "make test   set up what tests need, lint, run the whole suite (real processes)"
	@echo "make setup  build/link the two cached runtimes (.venv Python>=3.11, .venv-rasa Python 3.10)"
	@echo "make system-deps  install the Debian packages the suite and the demo drive (as root)"
	@echo "make neo4j  build the cached Neo4j 5 launcher (tests; LIVEROOM_GRAPH_BACKEND=neo4j make demo)"
	@echo "make train  train the Rasa model if config/domain/data/nlu changed"
	@echo "make lint   ruff check + format check + mypy (strict) on the files [tool.mypy] lists"
	@echo "make web    build the web pages' scripts and styles (npm ci when package-lock.json changed, esbuild)"
	@echo "make bench  run the benchmarks and evaluations in bench/ (figures + JSON in bench/results/)"
	@echo "make soak   10-minute soak of the whole stack: RSS per process and p95 over time (bench/results/soak.*)"
	@echo "make audit  known vulnerabilities of both runtimes' pins (pip-audit; says when it could not ask)"
	@echo "make eval   NLU: train liveroom's and Rasa's default config, evaluate on the held-out split (var/eval/report.md)"
	@echo "make eval-room  replay chat logs (bench/rooms/*_dev.jsonl) through the stack: replies, hand-offs, moderation (var/eval-room/report.md)"
	@echo "make eval-qa  ask the stack the question sets (tests/qa/{dev,heldout}.jsonl) end to end: accuracy per category (var/eval-qa/report*.md)"
	@echo "make eval-offtopic  off-topic (CLINC150) questions answered with shop content: main vs the domain guard"

# Idempotent: links cached venvs (keyed by requirement-file hashes) or builds them once.
setup:
	@$(PYTHON) -m ops setup

# Debian packages the suite and the demo drive for real, each started by the project itself on loopback
# (nothing has to run beforehand): redis-server and postgresql (throw-away servers for the scale-out
# tests), prometheus (scrapes the gateway), chromium (browser tests, report PDF/PNG), fonts-noto-cjk
# (Chinese text), maven + a JDK 17 (builds the Neo4j 5 test server from Maven Central).
SYSTEM_PACKAGES := redis-server postgresql prometheus chromium fonts-noto-cjk maven openjdk-17-jdk-headless
system-deps:
	@bash ops/system_deps.sh $(SYSTEM_PACKAGES)

# A real Neo4j 5 Community (5.26 LTS) for the Neo4j backend's tests and `LIVEROOM_GRAPH_BACKEND=neo4j make
# demo`: built once from Maven Central into the runtime cache (ops/neo4j_server.py).
neo4j: setup
	@$(APP) -m ops.neo4j_server build

# Front-end libraries come from the npm registry (package-lock.json pins them); `npm ci` runs only when
# the lock file changed (hash stamp in node_modules), then esbuild bundles src/ into bot/web/static/dist.
WEB := bot/web/frontend
web:
	@cd $(WEB) && stamp=node_modules/.lock-sha256 && want=$$(sha256sum package-lock.json | cut -d' ' -f1) && \
	if [ "$$(cat $$stamp 2>/dev/null)" != "$$want" ]; then \
		npm ci --no-audit --no-fund --loglevel=error && echo "$$want" > $$stamp; fi && \
	npm run --silent build

demo: setup system-deps web $(if $(filter neo4j,$(LIVEROOM_GRAPH_BACKEND)),neo4j)
	$(APP) -m ops up

# `make demo` with stand-ins for Twitch, Bilibili and YouTube on loopback (bench/platform_standins.py, the
# tests' fake servers): no account needed. They feed chat and paid events; the gateway runs all three
# connectors beside the simulator (dashboard: connections, thank-yous, revenue per platform). Ctrl-C stops
# both. STANDINS_ARGS="--pace 0.5" doubles the traffic; the env is also in var/platform-standins.env.
demo-platforms: setup system-deps web $(if $(filter neo4j,$(LIVEROOM_GRAPH_BACKEND)),neo4j)
	$(APP) bench/platform_standins.py --env-file var/platform-standins.env $(STANDINS_ARGS) -- $(APP) -m ops up

train: setup
	$(APP) -m ops train

# mypy checks the files listed in pyproject.toml's [tool.mypy] (core, connectors, graph, adapters, http, web).
lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

format: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

unit: setup
	$(APP) -m pytest -m "not e2e"

e2e: setup system-deps web
	$(APP) -m pytest -m e2e

test: setup system-deps lint web neo4j
	$(APP) -m pytest -rs
	$(MAKE) rasa-runtime-test

# nlu/ components, `rasa data validate`, `rasa test core` on test stories, eval report generation:
# these import rasa, which only the Python 3.10 runtime has (the app runtime skips the directory).
rasa-runtime-test: setup
	PYTHONPATH=$(CURDIR) .venv-rasa/bin/python -m pytest -p no:cacheprovider tests/rasa_runtime

# Trains both NLU configs on data/ (reused by content hash), evaluates on tests/nlu/heldout_*.yml.
eval: setup
	.venv-rasa/bin/python bench/eval_nlu.py

# Issue 14's room behaviour: our dev chat logs through the whole stack, targets printed PASS/FAIL.
# EVAL_ROOM_ARGS="--log var/eval-room/real/<file> --limit 1500" for a real log (bench/rooms/README.md),
# "--split heldout" for the final check only (never tune on it).
eval-room: setup
	$(APP) bench/eval_room.py $(EVAL_ROOM_ARGS)

# Question answering end to end (issue 15): both splits in one stack start, a report each;
# EVAL_QA_ARGS="--category follow_up --limit 20" for a quick look (bench/eval_qa.py --help).
eval-qa: setup
	$(APP) bench/eval_qa.py --split all $(EVAL_QA_ARGS)

# Off-topic questions (CLINC150 test + oos_test) answered with shop content: main vs the domain guard and the
# calibrated FAQ thresholds, plus what it costs on the held-out shop questions (bench/results/offtopic_eval.json).
eval-offtopic: setup
	$(APP) bench/eval_offtopic.py

# Each script prints its figures and ratios against a baseline measured in the same run.
# `make bench BENCH_QUICK=1`: the full-stack load benchmark sweeps two rates only (development), and
# bench/bench_ingest.py (ingest per gateway core, ~4 min; flame graph in bench/results/) runs --quick.
bench: setup
	@set -e; for script in bench/bench_*.py bench/eval_*.py; do \
		[ -e "$$script" ] || continue; echo "== $$script"; BENCH_QUICK=$(BENCH_QUICK) $(APP) "$$script"; done

# 10 minutes at the highest rate bench_load.py held under the p95 target (SOAK_ARGS="--rate 300", "--quick").
soak: setup
	$(APP) bench/soak.py $(SOAK_ARGS)

# pip-audit over requirements-app.lock and requirements-rasa.txt; exit 2 = not audited (no service).
AUDIT_SERVICE ?= pypi
audit: setup
	$(APP) -m ops audit $(AUDIT_SERVICE)

clean:
	rm -rf var models .pytest_cache .ruff_cache .mypy_cache
