# Kiosk POS: the two commands are `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
DEMO_DIR ?= data/demo

.PHONY: install demo test lint typecheck pytest fuzz chaos bench screenshots installers clean

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "Python's venv module is missing: sudo apt-get install python3-venv, then run make again."; \
	  exit 1; }
	$(PIP) install -q --upgrade pip setuptools wheel
	$(PIP) install -q -e '.[server,desktop,dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m pos_desktop.demo --data-dir $(DEMO_DIR)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy shared sync_server pos_desktop

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# A long hostile-input run: schemathesis (50 cases per operation, every role and a paired
# till), the connection-bound soak and the sync payload properties, for about 15 minutes.
fuzz: $(STAMP)
	KIOSK_FUZZ_SECONDS=300 KIOSK_FUZZ_EXAMPLES=50 $(VENV)/bin/pytest -p no:cacheprovider \
		tests/server/test_api_fuzz.py tests/server/test_db_pool.py \
		tests/server/sync/test_hostile_payloads.py

# The proof under fire (issue 18): 1,000 trials over every fault kind (kills, outages, bad
# networks, a full disk, clock jumps, broken printers) on one real fleet, then the table.
# KIOSK_CHAOS_SEED replays a run, KIOSK_CHAOS_TRIALS and KIOSK_CHAOS_KINDS narrow it.
chaos: $(STAMP)
	$(PY) -m tests.chaos.proof

bench: $(STAMP)
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pos_desktop.ui.screenshots docs/screenshots

# Desktop bundles (PyInstaller, one folder each) and the Linux tarball: installers/README.md.
installers: $(STAMP)
	PYTHON=$(PY) sh installers/build.sh build/installers

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache data
