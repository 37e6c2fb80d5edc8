# taizhang: `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Settings fail closed (DEBUG off) unless told otherwise; the make targets are development tools.
DEBUG ?= 1
export DEBUG

# The suites run on every core (pytest-xdist; a test file stays on one worker, so its module fixtures are
# built once). TEST_WORKERS=0 runs them in one process, as a debugger wants.
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
XDIST := $(if $(filter 0 1,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

DEBIAN_PACKAGES := $(shell grep -v '^\#' scripts/debian-packages.txt)

.PHONY: backup restore verify-ledger deps axe run test test-pg test-dates lint format check bench fuzz a11y-full vendor messages compilemessages setup clean-db ci cluster cluster-stop cluster-status cluster-smoke

$(STAMP): requirements/base.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	touch $(STAMP)

# The Debian packages (see scripts/debian-packages.txt); python3-venv too where python3 is Debian's,
# and npm where no npm is on the PATH yet.
deps:
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update
	$(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		$(DEBIAN_PACKAGES) $(if $(filter /usr/bin/%,$(realpath $(shell command -v python3))),python3-venv,) \
		$(if $(shell command -v npm),,npm)

setup: $(STAMP) compilemessages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

compilemessages: $(STAMP)
	$(PY) scripts/compile_messages.py

run: setup
	$(PY) manage.py demo
	@echo "Serving on http://$(HOST):$(PORT)/ (log in at http://$(HOST):$(PORT)/accounts/login/; Ctrl-C stops the web server and the background worker)"
	@$(PY) scripts/serve.py --host $(HOST) --port $(PORT)

# axe-core (a pinned npm devDependency) for the accessibility tests; only tests use it, nothing serves it.
axe:
	@test -f node_modules/axe-core/axe.min.js || npm ci --ignore-scripts --no-audit --no-fund

test: $(STAMP) compilemessages axe
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

test-dates: $(STAMP) compilemessages axe
	PYTHON=$(PY) DATE_SPREAD_JOBS=$(TEST_WORKERS) bash scripts/date_spread.sh $(PYTEST_ARGS)

test-pg: $(STAMP) compilemessages axe
	DATABASE_URL=$${PG_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/taizhang} $(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: $(STAMP)
	DEBUG=0 SECRET_KEY=check-only-$$(date +%s)-not-a-real-secret-key-but-long-enough ALLOWED_HOSTS=taizhang.example $(PY) manage.py check --deploy --fail-level WARNING

bench: setup
	$(PY) -m taizhang.bench

# Every junk value in every URL (CI runs a seeded sample); FUZZ=5000 for a bigger sample instead of all.
fuzz: $(STAMP) compilemessages
	TAIZHANG_FUZZ_EXAMPLES=$${FUZZ:-all} $(PY) -m pytest -q -p no:cacheprovider taizhang/tests/test_fuzz.py -s
	TAIZHANG_API_FUZZ_EXAMPLES=$${API_FUZZ:-50} $(PY) -m pytest -q -p no:cacheprovider taizhang/api/tests/test_schema_fuzz.py

# Every page as every role that gets it, in a real browser with axe-core (CI walks each page as up to two roles).
a11y-full: $(STAMP) compilemessages axe
	TAIZHANG_REQUIRE_BROWSER=1 TAIZHANG_A11Y_EVERY_ROLE=1 $(PY) -m pytest -q -p no:cacheprovider taizhang/tests/test_accessibility.py -k no_critical

messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location --ignore=.venv --ignore=node_modules --ignore=static

vendor:
	bash scripts/vendor.sh

# The production topology on 127.0.0.1 (nginx, two gunicorn nodes, PostgreSQL primary + streaming replica,
# PgBouncer, Redis, two Huey consumers): docs/deploy.md. cluster-stop stops exactly what it started.
cluster: setup
	$(PY) scripts/cluster.py up

cluster-stop:
	@test ! -x $(PY) || $(PY) scripts/cluster.py down

cluster-status: $(STAMP)
	$(PY) scripts/cluster.py status

cluster-smoke: cluster
	$(PY) scripts/cluster.py smoke

ci: lint check test

# Backups (database by SQLite's online backup API or pg_dump, media, a manifest of hashes) into var/backups
# or BACKUP_DIR; `make restore FROM=var/backups/taizhang-…` replaces the database and media, then verifies the ledger.
backup: $(STAMP)
	$(PY) manage.py backup $(if $(BACKUP_DIR),--to $(BACKUP_DIR),)

restore: $(STAMP)
	@test -n "$(FROM)" || { echo "make restore FROM=<backup directory>"; exit 2; }
	$(PY) manage.py restore "$(FROM)" $(if $(YES),--yes,)
	$(PY) manage.py verify_ledger

verify-ledger: $(STAMP)
	$(PY) manage.py verify_ledger $(if $(CAMPAIGN),--campaign $(CAMPAIGN),)
