# Incident Buddy. The two commands that matter:
#   make dev    run the product locally (Temporal dev server, worker, fake Slack)
#   make test   run every test (vet, unit, integration, replay), as CI does
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help

# The Temporal CLI (dev server) is built from the Go module proxy. Later CLI
# versions carry replace directives and do not `go install`.
TEMPORAL_CLI_VERSION := v1.5.1
TEMPORAL := bin/temporal

# Ports of the local dev server; override if they are taken: make dev TEMPORAL_PORT=7234
TEMPORAL_PORT ?= 7233
UI_PORT ?= 8233
FAKE_SLACK_ADDR ?= 127.0.0.1:4390
GATEWAY_PORT ?= 3000

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(TEMPORAL):
	@echo "==> building the Temporal CLI $(TEMPORAL_CLI_VERSION) into bin/ (once, about 3 minutes)"
	GOBIN=$(CURDIR)/bin go install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_CLI_VERSION)

# The browser test drives Debian's Chromium; a machine without it gets it once.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(CHROMIUM):
	@echo "==> installing Debian's chromium for the browser test (once, about a minute)"
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null

# A real Temporal server and its SQL tool, built from the module proxy, and
# Debian's PostgreSQL 15: the production path (make dev-postgres, test-postgres).
TEMPORAL_SERVER_VERSION := v1.29.1
TEMPORAL_SERVER := bin/temporal-server
TEMPORAL_SCHEMAS = $(shell go env GOMODCACHE)/go.temporal.io/server@$(TEMPORAL_SERVER_VERSION)/schema/postgresql/v12
POSTGRES := /usr/lib/postgresql/15/bin/pg_ctl
PG_PORT ?= 5433

$(TEMPORAL_SERVER):
	@echo "==> building Temporal Server $(TEMPORAL_SERVER_VERSION) and its SQL tool into bin/ (once, about 4 minutes)"
	GOBIN=$(CURDIR)/bin/.server go install go.temporal.io/server/cmd/server@$(TEMPORAL_SERVER_VERSION) go.temporal.io/server/cmd/tools/sql@$(TEMPORAL_SERVER_VERSION)
	mv bin/.server/sql bin/temporal-sql-tool
	mv bin/.server/server $(TEMPORAL_SERVER)
	rmdir bin/.server

$(POSTGRES):
	@echo "==> installing Debian's postgresql (once)"
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null

.PHONY: build
build: ## build worker, starter and the fake Slack into bin/
	go build -o bin/ ./worker ./starter ./tests/fakeslack/cmd/fakeslack ./tests/pgtemporal/cmd/pgtemporal

# BACKEND=postgres (make dev-postgres) runs a real Temporal server on PostgreSQL
# instead of the CLI's dev server.
BACKEND ?= dev

.PHONY: dev
dev: $(TEMPORAL) build ## run Temporal (SQLite in .data/, Web UI on :8233; the worker registers the search attributes), the worker, the Slack gateway on :3000, and the fake Slack unless SLACK_BOT_TOKEN is set
	@mkdir -p .data
	pids=()
	stop() { trap - EXIT INT TERM; kill "$${pids[@]}" 2>/dev/null || true; wait || true; }
	trap stop EXIT INT TERM
	if [ "$(BACKEND)" = postgres ]; then
		echo "==> Temporal Server $(TEMPORAL_SERVER_VERSION) on PostgreSQL 15 (data in .data/pg; no Web UI: docker-compose.yml has one)"
		bin/pgtemporal --dir .data/pg --bin bin --schemas $(TEMPORAL_SCHEMAS) --port $(TEMPORAL_PORT) --pg-port $(PG_PORT) > .data/temporal.log 2>&1 &
	else
		$(TEMPORAL) server start-dev --ip 127.0.0.1 --port $(TEMPORAL_PORT) --ui-port $(UI_PORT) \
			--db-filename .data/temporal.db --log-level warn \
			--dynamic-config-value system.enableActivityEagerExecution=true > .data/temporal.log 2>&1 &
	fi
	pids+=($$!)
	export TEMPORAL_ADDRESS=127.0.0.1:$(TEMPORAL_PORT)
	until $(TEMPORAL) operator cluster health --address $$TEMPORAL_ADDRESS >/dev/null 2>&1; do
		kill -0 $${pids[0]} 2>/dev/null || { echo "Temporal did not start (is port $(TEMPORAL_PORT) taken?); see .data/temporal.log"; exit 1; }
		sleep 0.5
	done
	fake=""
	if [ -z "$${SLACK_BOT_TOKEN:-}" ]; then
		echo "==> SLACK_BOT_TOKEN is not set: starting the FAKE Slack on http://$(FAKE_SLACK_ADDR) — nothing reaches a real workspace"
		bin/fakeslack serve --addr $(FAKE_SLACK_ADDR) --app http://127.0.0.1:$(GATEWAY_PORT) --secret fake-signing-secret &
		pids+=($$!)
		fake=yes
		export SLACK_BOT_TOKEN=xoxb-fake SLACK_API_URL=http://$(FAKE_SLACK_ADDR)/api/ SLACK_SIGNING_SECRET=fake-signing-secret
	fi
	export IB_ALERTS_TOKEN=$${IB_ALERTS_TOKEN:-dev-alerts-token}
	export IB_DOCUMENTS_DIR=$${IB_DOCUMENTS_DIR:-.data/postmortems} IB_GATEWAY_WORKER=$${IB_GATEWAY_WORKER:-true}
	bin/worker &
	pids+=($$!)
	bin/starter serve --addr 127.0.0.1:$(GATEWAY_PORT) &
	pids+=($$!)
	echo "==> Incident Buddy is running. Ctrl-C stops everything."
	if [ "$(BACKEND)" = postgres ]; then
		echo "    Temporal          127.0.0.1:$(TEMPORAL_PORT) on PostgreSQL 127.0.0.1:$(PG_PORT)  (server log: .data/pg/temporal.log)"
	else
		echo "    Temporal Web UI   http://localhost:$(UI_PORT)  (server log: .data/temporal.log)"
	fi
	echo "    Declare           bin/starter create S2 Checkout API returning 500s"
	echo "    List              bin/starter list"
	echo "    Find by severity  $(TEMPORAL) workflow list --query \"IncidentSeverity='S2'\""
	echo "    Slack gateway     http://127.0.0.1:$(GATEWAY_PORT)/slack/{commands,interactivity,events}"
	echo "    Alerts            curl -H \"Authorization: Bearer $$IB_ALERTS_TOKEN\" -d '{\"alerts\":[{\"name\":\"Errors\",\"service\":\"checkout\",\"status\":\"firing\",\"starts_at\":\"'$$(date -u +%FT%TZ)'\"}]}' http://127.0.0.1:$(GATEWAY_PORT)/alerts/json"
	if [ -n "$$fake" ]; then
		echo "    Fake Slack        http://$(FAKE_SLACK_ADDR)/  (work in it as alice, bob or carol)"
		echo "    /ib as Slack      bin/fakeslack command --user alice create S1 Login page down"
	fi
	wait -n

.PHONY: dev-postgres
dev-postgres: $(TEMPORAL_SERVER) $(POSTGRES) ## make dev on the production path: Temporal Server 1.29 on PostgreSQL 15 (data in .data/pg), built and installed once
	@$(MAKE) --no-print-directory dev BACKEND=postgres

# The integration tests a release must pass on a real server: declare to
# close, pages, the postmortem's timers, chaos, replay.
POSTGRES_TESTS ?= TestDeclareToResolve$$|TestAlertsAndATicketSuggestDeclaring|TestPage|TestPostmortem|TestChaos|TestReplay|TestRetention|TestCanonicalIncidentHistory|TestHostileMentions|TestTimelineCommands

.PHONY: test-postgres
test-postgres: $(TEMPORAL) $(TEMPORAL_SERVER) $(POSTGRES) $(CHROMIUM) ## every integration test on Temporal Server 1.29 + PostgreSQL 15 (before a release; about 6 minutes)
	IB_TEST_TEMPORAL=postgres IB_TEMPORAL_SCHEMAS=$(TEMPORAL_SCHEMAS) go test -count=1 ./tests/

.PHONY: test
test: $(TEMPORAL) $(TEMPORAL_SERVER) $(POSTGRES) $(CHROMIUM) ## vet, check formatting, run every test with the race detector, and a representative part on PostgreSQL
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*'))
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	set -x
	go vet ./...
	go test -race -count=1 ./...
	IB_TEST_TEMPORAL=postgres IB_TEMPORAL_SCHEMAS=$(TEMPORAL_SCHEMAS) go test -count=1 -run '$(POSTGRES_TESTS)' ./tests/

# How long each CPU burner of `make test-busy` may run at most.
BUSY_FOR ?= 30m

.PHONY: test-busy
test-busy: $(TEMPORAL) $(CHROMIUM) ## the integration tests while two CPU-burning processes compete for the cores (not part of make test)
	burners=()
	stop() { trap - EXIT INT TERM; kill "$${burners[@]}" 2>/dev/null || true; wait "$${burners[@]}" 2>/dev/null || true; }
	trap stop EXIT INT TERM
	for i in 1 2; do
		timeout $(BUSY_FOR) sh -c 'while :; do :; done' &
		burners+=($$!)
	done
	echo "==> two CPU burners running (pids $${burners[*]}, at most $(BUSY_FOR) each)"
	go test -race -count=1 ./tests/

.PHONY: bench-gateway
bench-gateway: $(TEMPORAL) ## measure the gateway's answers to bursts of 50 slash commands (docs/benchmarks.md)
	go test ./tests -run XXX -bench GatewayBurst -benchtime 10x

BENCH_COUNT ?= 3
BENCH_RUN = go test ./tests -run XXX -count $(BENCH_COUNT) -timeout 60m
# Canonical incidents a second in the declare load, by persistence: SQLite on
# two cores saturates at 5 a second (docs/benchmarks.md says how).
BENCH_RATE_memory ?= 5
BENCH_RATE_sqlite ?= 1
BENCH_RATE_postgres ?= 1

.PHONY: bench
bench: $(TEMPORAL) $(TEMPORAL_SERVER) $(POSTGRES) ## measure the whole system on the dev server in memory and with SQLite, and on Temporal Server + PostgreSQL, 3 runs each (BENCH_COUNT), side by side into docs/benchmarks.md (about 45 minutes)
	@mkdir -p .data
	@for mode in memory sqlite postgres; do $(MAKE) --no-print-directory bench-$$mode || exit 1; done
	go run ./tests/cmd/benchreport -out docs/benchmarks.md \
		"memory, declare load $(BENCH_RATE_memory) incidents/s=.data/bench-memory.txt" \
		"SQLite, declare load $(BENCH_RATE_sqlite) incident/s=.data/bench-sqlite.txt" \
		"PostgreSQL, declare load $(BENCH_RATE_postgres) incident/s=.data/bench-postgres.txt"

.PHONY: bench-memory bench-sqlite bench-postgres
bench-postgres: BENCH_BACKEND = IB_TEST_TEMPORAL=postgres IB_TEMPORAL_SCHEMAS=$(TEMPORAL_SCHEMAS)
bench-postgres: $(TEMPORAL_SERVER) $(POSTGRES)
bench-memory bench-sqlite bench-postgres: bench-%: $(TEMPORAL)
	@mkdir -p .data
	@echo "==> benchmarks on Temporal with persistence: $* (logs: .data/bench-$*.log)"
	@: > .data/bench-$*.txt
	$(BENCH_BACKEND) IB_BENCH_DB=$* IB_BENCH_RATE=$(BENCH_RATE_$*) $(BENCH_RUN) -bench 'Declare$$' -benchtime 40x >> .data/bench-$*.txt 2>> .data/bench-$*.log
	$(BENCH_BACKEND) IB_BENCH_DB=$* $(BENCH_RUN) -bench 'DeclareBurst200|OpenIncidents|CanonicalHistory|QuietIncident|Alerts' -benchtime 1x >> .data/bench-$*.txt 2>> .data/bench-$*.log
	$(BENCH_BACKEND) IB_BENCH_DB=$* $(BENCH_RUN) -bench 'GatewayBurst' -benchtime 5x >> .data/bench-$*.txt 2>> .data/bench-$*.log
	@grep '^Benchmark' .data/bench-$*.txt | cut -c1-160

.PHONY: chaos
chaos: $(TEMPORAL) ## the chaos run, longer: 40 incidents through worker kills, Temporal pauses and cuts, Slack and Zendesk faults
	IB_CHAOS_INCIDENTS=40 go test ./tests -run TestChaos -count=1 -timeout 30m

.PHONY: bench-events
bench-events: $(TEMPORAL) ## measure sustained channel events per second into one incident (docs/benchmarks.md)
	go test ./tests -run XXX -bench ChannelEvents -benchtime 3000x

.PHONY: fuzz
fuzz: ## fuzz the command parser and channel names for a minute each
	go test -run XXX -fuzz FuzzParseCommand -fuzztime 60s .
	go test -run XXX -fuzz FuzzChannelName -fuzztime 60s .

.PHONY: record-histories
record-histories: $(TEMPORAL) ## re-record the workflow histories the replay test checks (the canonical incident, a service's alert watch) (after a guarded workflow change)
	go test -count=1 -run 'TestCanonicalIncidentHistory|TestAlertsAndATicketSuggestDeclaring' ./tests -record-histories

.PHONY: clean
clean: ## remove build output and local Temporal data (keeps bin/temporal)
	find bin -type f ! -name temporal -delete 2>/dev/null || true
	rm -rf .data
