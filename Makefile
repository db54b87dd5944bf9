# Two commands do everything on a fresh machine:
#   make run    set up and start the console (sandbox mode unless credentials are configured)
#   make test   set up and run lint, format check, the import contracts and the whole test suite
#               (browser journeys included): the tier without browser or processes on every core,
#               then the journeys and the process tests, three modules at a time (they mostly wait)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
AXE    := node_modules/axe-core/axe.min.js

.PHONY: run test stress setup setup-test browser postgresql nginx lint format bench sandbox clean

run: setup
	$(PY) -m streamlit run console.py

test: setup-test browser postgresql nginx
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -m "not browser and not processes" -n auto --dist loadgroup
	$(PY) -m pytest -m "browser or processes" -n 3 --dist loadscope

# Nothing typed is lost, at length: 150 compositions typed without pauses into a busy console
# (make test types 3, one per typist; CI 60). Needs what make test needs.
stress: setup-test browser
	TYPING_ATTEMPTS=150 $(PY) -m pytest -p no:cacheprovider tests/browser/test_typing_under_load.py

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed (found %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup-test: setup

browser: $(AXE)
	@bash scripts/ensure-chromium.sh

# PostgreSQL's binaries: the tests start their own throwaway server (tests/postgres_server.py).
postgresql:
	@bash scripts/ensure-postgresql.sh

# nginx, to run deploy/nginx.conf in front of replicas (tests/test_load_balancer.py).
nginx:
	@bash scripts/ensure-nginx.sh

# axe-core, the accessibility checker the browser journeys inject (version pinned by the lock file).
$(AXE): package.json package-lock.json
	@bash scripts/ensure-axe.sh

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

format: setup
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: setup
	$(PY) tests/benchmarks/bench_compose.py
	$(PY) tests/benchmarks/bench_sending.py
	$(PY) tests/benchmarks/bench_follow.py
	$(PY) tests/benchmarks/bench_status.py
	$(PY) tests/benchmarks/bench_typing.py
	$(PY) tests/benchmarks/bench_quiet_hours.py
	$(PY) tests/benchmarks/bench_suppression.py
	$(PY) tests/benchmarks/bench_replicas.py
	$(PY) tests/benchmarks/bench_journal_backends.py
	$(PY) tests/benchmarks/bench_overview.py --postgresql

sandbox: setup
	$(PY) -m components.sandbox

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .hypothesis
