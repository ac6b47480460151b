# NTB platform - the front door. `make run` and `make test` are all a new machine needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
SOURCES := libs/ntbkit/src cli/src $(wildcard services/*/src)
TEST_DATABASE_URL ?= postgresql+asyncpg://ntb:ntb@127.0.0.1:55432/ntb_test
TEST_KAFKA_BOOTSTRAP ?= 127.0.0.1:59092
export NTB_TEST_DATABASE_URL := $(TEST_DATABASE_URL)
export NTB_TEST_KAFKA_BOOTSTRAP := $(TEST_KAFKA_BOOTSTRAP)

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m pip install --quiet --user "uv==$(UV_VERSION)" || \
	  $(PYTHON) -m pip install --quiet --break-system-packages --user "uv==$(UV_VERSION)"

$(BIN)/ntb: $(UV) uv.lock pyproject.toml $(wildcard libs/*/pyproject.toml services/*/pyproject.toml cli/pyproject.toml)
	$(UV) sync --all-packages --frozen --python $(PYTHON)
	@touch $@

.PHONY: venv
venv: $(BIN)/ntb ## create .venv with every package of the workspace (pinned by uv.lock)

.PHONY: run
run: venv ## all six services in one process: SQLite, in-process event bus
	$(BIN)/ntb run --data-dir data

.PHONY: run-distributed
run-distributed: venv infra-up ## the six services as processes on PostgreSQL and Kafka
	$(BIN)/ntb run-distributed

.PHONY: infra-up
infra-up: venv ## install (if missing) and start PostgreSQL and Kafka on loopback
	tools/infra/up.sh

.PHONY: infra-down
infra-down: ## stop PostgreSQL and Kafka
	tools/infra/down.sh

.PHONY: proto
proto: venv ## regenerate the Python code of proto/ into libs/ntbproto
	tools/proto/generate.sh

.PHONY: lint
lint: venv lint-deploy ## ruff, mypy --strict, buf lint, generated code up to date
	$(BIN)/ruff check .
	$(BIN)/mypy $(SOURCES)
	tools/proto/lint.sh
	tools/proto/check.sh

.PHONY: test-unit
test-unit: venv ## unit tests (no servers needed)
	$(BIN)/pytest -q -m "not integration and not e2e" libs services cli tests

.PHONY: test-integration
test-integration: venv infra-up ## integration tests on the real PostgreSQL and Kafka
	$(BIN)/pytest -q -m integration libs services cli tests

.PHONY: test-e2e
test-e2e: venv infra-up ## whole-suite scenarios in distributed mode
	$(BIN)/pytest -q -m e2e tests/e2e

.PHONY: test
test: venv infra-up lint deploy-tools test-loadgen ## everything: lint, unit, integration, e2e (on real PostgreSQL + Kafka)
	$(BIN)/pytest -q -p no:cacheprovider libs services cli tests

.PHONY: test-loadgen
test-loadgen: ## the ledger bench's Go load generator: gofmt, go vet, go test
	cd bench/loadgen && test -z "$$(gofmt -l .)" && go vet ./... && go test ./...

.PHONY: bench-events
bench-events: venv infra-up ## outbox -> Kafka -> inbox latency at 500 events/s for 60 s
	$(BIN)/python bench/event_latency.py --rate 500 --duration-s 60

.PHONY: bench-ledger
bench-ledger: venv infra-up ## ledger throughput via gRPC vs pgbench TPC-B in the same run
	$(BIN)/python bench/ledger_bench.py --seconds 20 --worker

.PHONY: bench-matching
bench-matching: venv ## MatchBatch engine: 10,000 workers x 1,000 demands vs a greedy baseline
	$(BIN)/python bench/matching_bench.py --workers 10000 --demands 1000

# --- deploy: Helm, kind, compose, dashboards and rules (deploy/README.md) -------------
HELM = $(shell tools/deploy/install-tools.sh --print-env | sed -n 's/^NTB_HELM=//p')

.PHONY: deploy-tools
deploy-tools: ## helm (Go module proxy), promtool + prometheus (Debian): installed once, cached
	tools/deploy/install-tools.sh

.PHONY: lint-deploy
lint-deploy: venv deploy-tools ## helm lint --strict, promtool check rules, dashboards up to date
	$(HELM) lint --strict --quiet deploy/helm/ntb
	promtool check rules deploy/grafana/prometheus-rules.yml
	$(BIN)/python deploy/grafana/generate.py --check

.PHONY: dashboards
dashboards: venv ## regenerate deploy/grafana/dashboards/*.json from deploy/grafana/generate.py
	$(BIN)/python deploy/grafana/generate.py

.PHONY: test-deploy
test-deploy: venv infra-up deploy-tools ## chart, compose, images, rules, live dashboards and traces
	$(BIN)/pytest -q -p no:cacheprovider tests/deploy

.PHONY: kind-up
kind-up: deploy-tools ## create the kind cluster of deploy/kind/cluster.yaml (needs Docker)
	tools/deploy/kind.sh up

.PHONY: kind-deploy
kind-deploy: deploy-tools ## build the images, kind load them, helm upgrade --install, helm test
	tools/deploy/kind.sh deploy

.PHONY: kind-down
kind-down: ## delete the kind cluster
	tools/deploy/kind.sh down

.PHONY: compose-e2e
compose-e2e: ## the compose topology with its e2e runner; exit code is the runner's (needs Docker)
	docker compose -f deploy/compose/docker-compose.yml up --build --exit-code-from e2e
