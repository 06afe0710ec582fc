# Dystonia signposting assistant. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_VERSION := $(shell cat .python-version)
PYTHON ?= $(shell command -v python$(basename $(PYTHON_VERSION)) 2>/dev/null || command -v python3.10 2>/dev/null || echo python3)
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/signpost.tar.gz
SPACY_DIR := build/spacy/signpost_en
LOOKUPS := data/nlu/vocabulary_lookups.yml
KNOWLEDGE := $(wildcard data/knowledge/*.yml)
VENDOR := build/web/vendor/socket.io.min.js
LOAD_VENV := .venv-load
DEPLOY_VENV := .venv-deploy
LOCUST_VERSION := 2.46.0
RASA_DATA := $(filter-out $(LOOKUPS),$(wildcard data/nlu/*.yml data/rules/*.yml data/stories/*.yml))

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export ACTION_SERVER_URL ?= http://localhost:5055/webhook
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

# The locks: requirements.txt (what the processes import) and requirements-dev.txt (the
# development and test tools on top), both written by `make lock`. The project itself is
# installed editable, in a pip call of its own: --require-hashes refuses an editable
# requirement, and --no-build-isolation builds it with the locked setuptools.
LOCKS := requirements.txt requirements-dev.txt

$(BIN)/.installed: $(LOCKS) pyproject.toml .python-version
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 10), "Python 3.10 is required (see .python-version)"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes $(addprefix -r ,$(LOCKS))
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

install: $(BIN)/.installed ## create .venv, install the hash-locked dependencies and the project (editable)

lock: $(DEPLOY_VENV)/.installed ## re-lock requirements.in and requirements-dev.in with hashes (LOCK_ARGS="--upgrade-package NAME"), then make deploy-lock
	for lock in $(LOCKS); do CUSTOM_COMPILE_COMMAND="make lock" $(DEPLOY_VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras \
		--allow-unsafe --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) --output-file $$lock $${lock%.txt}.in || exit 1; done

$(SPACY_DIR)/.built: $(BIN)/.installed $(KNOWLEDGE) signpost/knowledge/vocabulary.py
	$(BIN)/python -m signpost build-nlp --output $(SPACY_DIR)
	touch $@

$(LOOKUPS): $(BIN)/.installed $(KNOWLEDGE) signpost/knowledge/vocabulary.py
	$(BIN)/python -m signpost lookups --output $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(VENDOR): node_modules/.package-lock.json
	mkdir -p $(dir $@)
	cp node_modules/socket.io-client/dist/socket.io.min.js $@

build: $(SPACY_DIR)/.built $(LOOKUPS) $(VENDOR) ## build the spaCy pipeline, lookup tables and the widget's socket.io client

seed: $(BIN)/.installed ## seed the knowledge base (idempotent)
	@$(BIN)/python -m signpost seed

$(MODEL): $(SPACY_DIR)/.built $(LOOKUPS) config.yml domain.yml $(RASA_DATA) $(wildcard signpost/rasa_plugins/nlu/*.py) signpost/rasa_plugins/safety_policy.py signpost/dialogue.py
	$(BIN)/rasa train --fixed-model-name signpost --out models

train: $(MODEL) ## train the Rasa model if data or config changed

run: build seed train ## install, build, seed, train, then start every process (LOG_FORMAT=json: JSON lines)
	@$(BIN)/python -m scripts.run

run-replicas: build train ## two Rasa replicas (5005, 5006) and one action server on DATABASE_URL and REDIS_URL
	$(BIN)/python -m scripts.run_replicas

lint: $(BIN)/.installed ## ruff (format check and lint), mypy, and the generated Q&A data up to date
	$(BIN)/ruff format --check signpost actions tests scripts eval
	$(BIN)/ruff check signpost actions tests scripts eval
	$(BIN)/mypy signpost actions
	$(BIN)/python -m signpost.knowledge.answers --check

browser: ## install Debian's chromium for the end-to-end browser tests (needs root)
	@command -v chromium >/dev/null || { apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; }

validate: build ## rasa data validate, failing on warnings
	$(BIN)/rasa data validate --fail-on-warnings

unit: build ## pytest without the tests that start servers (-m "not servers"): no trained model, about 3 minutes
	$(BIN)/python -m pytest -m "not servers" -q

test: lint build seed validate train $(DEPLOY_VENV)/.installed ## the whole suite: lint, pytest (fuzz and deploy checks included), data validation, story and NLU tests
	$(BIN)/python -m pytest
	$(BIN)/rasa test core --stories tests/test_stories.yml --model $(MODEL) --fail-on-prediction-errors --out results/core
	$(BIN)/python -m scripts.nlu_check --model $(MODEL)

eval: build seed train ## share of evaluation descriptions whose first reply names the right type
	$(BIN)/python -m scripts.with_servers -- $(BIN)/python -m scripts.eval

eval-real: build seed train ## real-world descriptions, conversations, questions and red flags (dev and test splits)
	$(BIN)/python -m scripts.with_servers -- $(BIN)/python -m scripts.eval_real --split all
	$(BIN)/python -m scripts.with_servers -- $(BIN)/python -m scripts.eval_questions --split all
	$(BIN)/python eval/red_flags/measure.py

lengths: build seed train ## words, bubbles and reading age a turn (REST), SMS segments, on the held-out split
	TWILIO_AUTH_TOKEN=$${TWILIO_AUTH_TOKEN:-measure-lengths} $(BIN)/python -m scripts.with_servers -- \
		$(BIN)/python -m scripts.reply_length --split test --sms

fuzz: build seed train ## the fuzz tests at length (HYPOTHESIS_PROFILE=long) against the test servers
	HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest tests/fuzz -v

bench: build train ## side by side with the `rasa init` bot: turn latency, 20 concurrent, turn 200 vs 10, memory (BENCH_ARGS="--port-offset 900")
	$(BIN)/python -m scripts.bench $(BENCH_ARGS)

$(LOAD_VENV)/bin/locust: .python-version
	$(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/pip install --quiet locust==$(LOCUST_VERSION)

load: build seed train $(LOAD_VENV)/bin/locust ## locust at 20/50/100 concurrent conversations and a 10-minute soak
	$(BIN)/python -m scripts.with_servers -- $(BIN)/python -m scripts.load --locust $(LOAD_VENV)/bin/locust

load-replicas: build train $(LOAD_VENV)/bin/locust ## the same on two Rasa replicas (DATABASE_URL, REDIS_URL as for run-replicas)
	$(BIN)/python -m scripts.run_replicas -- $(BIN)/python -m scripts.load --locust $(LOAD_VENV)/bin/locust \
		--hosts http://localhost:5005,http://localhost:5006

screenshot: build seed train ## docs/widget.png and docs/widget-phone.png, taken in chromium
	$(BIN)/python -m scripts.with_servers -- $(BIN)/python -m scripts.screenshot

compare: build ## compare NLU pipelines on the held-out split
	$(BIN)/python -m scripts.compare_pipelines

clean: ## remove built artefacts (keeps .venv)
	rm -rf build models results var $(LOOKUPS)

.PHONY: help install lock build seed train run run-replicas lint browser validate unit test eval eval-real lengths fuzz bench load load-replicas screenshot compare clean

# Deployment checks, in their own virtualenv (like .venv-load): checkov, strict Kubernetes
# schemas, the per-image dependency locks and their audit (docs/operations.md).
DEPLOY_TOOLS := checkov==3.3.30 kubernetes-validate==1.37.0 pip-tools==7.6.2 pip-audit==2.10.1
DEPLOY_LOCKS := $(patsubst %.in,%.txt,$(wildcard deploy/requirements/*.in))
KUBERNETES_VERSIONS := 1.28.0 1.31.0 1.34.0 1.37.0
AUDIT_SERVICE ?= pypi

$(DEPLOY_VENV)/.installed: .python-version
	$(PYTHON) -m venv $(DEPLOY_VENV)
	$(DEPLOY_VENV)/bin/pip install --quiet $(DEPLOY_TOOLS)
	touch $@

deploy-check: $(DEPLOY_VENV)/.installed ## checkov and strict Kubernetes schemas on deploy/, then tests/test_deploy.py
	$(DEPLOY_VENV)/bin/checkov --config-file .checkov.yaml
	for v in $(KUBERNETES_VERSIONS); do $(DEPLOY_VENV)/bin/kubernetes-validate --strict --quiet -k $$v deploy/k8s/*.yaml || exit 1; done
	$(BIN)/python -m pytest tests/test_deploy.py -q

deploy-lock: $(DEPLOY_VENV)/.installed ## re-lock each image's packages with hashes (deploy/requirements/*.in -> .txt)
	for lock in $(DEPLOY_LOCKS); do CUSTOM_COMPILE_COMMAND="make deploy-lock" $(DEPLOY_VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras \
		--allow-unsafe --no-emit-index-url --no-emit-find-links --output-file $$lock $${lock%.txt}.in || exit 1; done

deploy-audit: $(DEPLOY_VENV)/.installed ## known vulnerabilities in every lock (pip-audit; run it weekly, needs the audit service)
	for lock in $(DEPLOY_LOCKS) $(LOCKS); do $(DEPLOY_VENV)/bin/pip-audit --strict --disable-pip --progress-spinner off \
		--vulnerability-service $(AUDIT_SERVICE) -r $$lock || exit 1; done

.PHONY: deploy-check deploy-lock deploy-audit
